//! Integration tests: a real PostgreSQL database per test and a real server on a random port.

mod bill_page;
mod browser;
mod cli;
mod console;
mod cross_site;
mod customer_path;
mod cycle_runs;
mod database_restart;
mod delivery;
mod helpers;
mod imports;
mod keys;
mod link_requests;
mod observability;
mod packaging;
mod refusals;
mod shutdown;
mod smtp_client;
mod smtp_server;
mod staff_access;
mod staff_audit;
mod staff_billing;
mod staff_cli;
mod staff_console_api;
mod staff_csr;
mod transactions;
