//! What billing staff load: the brands they bill under, customers and their bills, imported
//! all or nothing, and the bill as its customer sees it.

pub mod bill;
pub mod brands;
pub mod customers;
pub mod import;
pub mod search;
