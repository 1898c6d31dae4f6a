//! What billing staff load: customers and their bills, imported all or nothing, and the
//! bill as its customer sees it.

pub mod bill;
pub mod customers;
pub mod import;
pub mod search;
