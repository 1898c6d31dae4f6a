//! A transaction whose caller stops waiting while it begins (a client gone mid-request, a
//! timeout) leaves no connection of the pool inside it, where the next user's writes would
//! never be committed.

use std::time::Duration;

use billpass::infra::db;
use sqlx::Row;

use crate::helpers::fresh_database;

#[tokio::test]
async fn a_transaction_cancelled_while_it_begins_leaves_no_connection_inside_it() {
    let (_, pool) = fresh_database().await;
    let pool = db::pool_beside(&pool, 1);
    let mut inside = 0;
    // Cancelled at every moment of a `BEGIN`'s round trip, over and over, on one connection;
    // after each, a statement of its own on that connection.
    for i in 0..600 {
        let _ = tokio::time::timeout(Duration::from_micros(i % 300), db::begin(&pool)).await;
        // Sent as a simple query, a statement outside any transaction is its own, and began
        // when it did; inside one, `now()` is when the transaction began.
        let row = sqlx::raw_sql("SELECT now() <> statement_timestamp()")
            .fetch_one(&pool)
            .await
            .unwrap();
        if row.get::<bool, _>(0) {
            inside += 1;
        }
    }
    assert_eq!(inside, 0, "statements ran inside a transaction left open");
}
