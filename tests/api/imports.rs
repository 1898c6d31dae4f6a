//! Imports: every kind of bad row is reported by line and field, and nothing is stored.

use billpass::billing::import::{self, CustomerFormat, ImportError, ImportSummary};
use billpass::domain::Actor;

use crate::helpers::{BILLS_JSONL, CUSTOMERS_CSV, fresh_database};

async fn count(pool: &sqlx::PgPool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Imports customers as an operator at the command line would.
async fn import_customers(
    pool: &sqlx::PgPool,
    format: CustomerFormat,
    input: &[u8],
) -> Result<ImportSummary, ImportError> {
    import::customers(pool, format, input, &Actor::command_line()).await
}

async fn import_bills(pool: &sqlx::PgPool, input: &[u8]) -> Result<ImportSummary, ImportError> {
    import::bills(pool, input, &Actor::command_line()).await
}

fn errors(result: Result<ImportSummary, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Rows { errors, .. }) => errors.iter().map(|e| e.to_string()).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[tokio::test]
async fn customers_import_then_reimport_updates() {
    let (_, pool) = fresh_database().await;
    let first = import_customers(&pool, CustomerFormat::Csv, CUSTOMERS_CSV.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        first,
        ImportSummary {
            inserted: 3,
            updated: 0
        }
    );
    let again = import_customers(&pool, CustomerFormat::Csv, CUSTOMERS_CSV.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        again,
        ImportSummary {
            inserted: 0,
            updated: 3
        }
    );
    let jsonl = r#"{"account_id":"ACC-9","name":"Lines Person","email":"l@example.com","phone":null,"channel":"","locale":"en"}"#;
    let third = import_customers(&pool, CustomerFormat::JsonLines, jsonl.as_bytes())
        .await
        .unwrap();
    assert_eq!(third.inserted, 1);
    let channel: String =
        sqlx::query_scalar("SELECT channel FROM customers WHERE account_id = 'ACC-9'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        channel, "email",
        "empty channel means email when there is one"
    );
}

#[tokio::test]
async fn bad_customer_rows_are_all_reported_and_nothing_is_stored() {
    let (_, pool) = fresh_database().await;
    import_customers(&pool, CustomerFormat::Csv, CUSTOMERS_CSV.as_bytes())
        .await
        .unwrap();
    let csv = "\
account_id,name,email,phone,channel,locale
ACC-1,Renamed Jane,jane@example.com,,email,en
,No Account,x@example.com,,,en
ACC-5,No Contact,,,,en
ACC-6,Bad Email,not-an-email,,,en
ACC-7,Bad Phone,,5551234,,en
ACC-8,Bad Channel,a@example.com,,fax,en
ACC-9,Sms Without Phone,a@example.com,,sms,en
ACC-10,Bad Locale,a@example.com,,,english please
ACC-1,Duplicate,jane@example.com,,,en
ACC-11,Too,few
";
    let errors = errors(import_customers(&pool, CustomerFormat::Csv, csv.as_bytes()).await);
    for expected in [
        "line 3: account_id: a value is required",
        "line 4: email: an email address or a phone number is required",
        "line 5: email: an email address like name@example.com expected",
        "line 6: phone: a phone number in E.164 form like +15551234567 expected",
        "line 7: channel: `email` or `sms` expected",
        "line 8: channel: `sms` needs a phone number on the row",
        "line 9: locale:",
        "line 10: account_id: ACC-1 is also on line 2",
        "line 11: line: 6 columns expected, found 3",
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "missing {expected:?} in {errors:#?}"
        );
    }
    let name: String = sqlx::query_scalar("SELECT name FROM customers WHERE account_id = 'ACC-1'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        name, "Jane Doe",
        "the good row in a bad file was not applied"
    );
    assert_eq!(count(&pool, "customers").await, 3);
}

#[tokio::test]
async fn customer_csv_without_the_expected_header_is_refused() {
    let (_, pool) = fresh_database().await;
    let errors = errors(
        import_customers(&pool, CustomerFormat::Csv, "id,full_name\n1,x\n".as_bytes()).await,
    );
    assert!(
        errors[0].starts_with("line 1: header: a `account_id` column expected"),
        "{errors:?}"
    );
    assert_eq!(count(&pool, "customers").await, 0);
}

#[tokio::test]
async fn bad_bill_rows_are_all_reported_and_nothing_is_stored() {
    let (_, pool) = fresh_database().await;
    import_customers(&pool, CustomerFormat::Csv, CUSTOMERS_CSV.as_bytes())
        .await
        .unwrap();
    import_bills(&pool, BILLS_JSONL.as_bytes()).await.unwrap();
    let good = BILLS_JSONL.lines().nth(1).unwrap();
    let with = |from: &str, to: &str| {
        assert!(good.contains(from), "{from}");
        good.replace(from, to)
    };
    let bad = [
        with(r#""amount_due":"142.17""#, r#""amount_due":142.17"#),
        with(r#""amount_due":"142.17""#, r#""amount_due":"142.175""#),
        with(r#""currency":"USD""#, r#""currency":"XXX1""#),
        with(r#""cycle":"2026-11""#, r#""cycle":"2026/11""#),
        with(r#""due_on":"2026-11-23""#, r#""due_on":"23/11/2026""#),
        with(
            r#""period_end":"2026-10-31""#,
            r#""period_end":"2026-09-01""#,
        ),
        with(r#""account_id":"ACC-1""#, r#""account_id":"ACC-404""#),
        with(r#""amount":"98.40""#, r#""amount":"ninety""#),
        "{not json".to_owned(),
        "[1,2,3]".to_owned(),
        with(r#""amount_due":"142.17","#, ""),
        good.to_owned(),
        good.to_owned(),
    ]
    .join("\n");
    let errors = errors(import_bills(&pool, bad.as_bytes()).await);
    for expected in [
        "line 1: amount_due: a string expected, not a number",
        "line 2: amount_due: a decimal string like \"1234.55\" with at most 2 decimals for USD",
        "line 3: currency: an ISO 4217 currency code",
        "line 4: cycle: a cycle id like 2026-11",
        "line 5: due_on: a date like 2026-11-02 expected",
        "line 6: period_end: a date on or after period_start expected",
        "line 8: lines[0].amount: a decimal string",
        "line 9: line: valid JSON expected",
        "line 10: line: a JSON object expected",
        "line 11: amount_due: a value is required",
        "line 13: cycle: a bill for ACC-1 in 2026-11 is also on line 12",
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "missing {expected:?} in {errors:#?}"
        );
    }
    // The unknown account is found only once every row is well-formed.
    let unknown = with(r#""account_id":"ACC-1""#, r#""account_id":"ACC-404""#);
    let errors_2 = errors_of_bills(&pool, &format!("{good}\n{unknown}")).await;
    assert_eq!(
        errors_2,
        ["line 2: account_id: no customer ACC-404: import customers first"]
    );
    assert_eq!(count(&pool, "bills").await, 5);
    let amount: i64 = sqlx::query_scalar("SELECT amount_due FROM bills b JOIN customers c ON c.id = b.customer_id WHERE c.account_id = 'ACC-1' AND cycle = '2026-11'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(amount, 14217);
}

async fn errors_of_bills(pool: &sqlx::PgPool, input: &str) -> Vec<String> {
    errors(import_bills(pool, input.as_bytes()).await)
}

#[tokio::test]
async fn reimporting_a_bill_replaces_it_in_place() {
    let (_, pool) = fresh_database().await;
    import_customers(&pool, CustomerFormat::Csv, CUSTOMERS_CSV.as_bytes())
        .await
        .unwrap();
    import_bills(&pool, BILLS_JSONL.as_bytes()).await.unwrap();
    let line = BILLS_JSONL
        .lines()
        .nth(1)
        .unwrap()
        .replace(r#""amount_due":"142.17""#, r#""amount_due":"150.00""#);
    let summary = import_bills(&pool, line.as_bytes()).await.unwrap();
    assert_eq!(
        summary,
        ImportSummary {
            inserted: 0,
            updated: 1
        }
    );
    let amount: i64 = sqlx::query_scalar(
        "SELECT amount_due FROM bills WHERE cycle = '2026-11' AND currency = 'USD'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(amount, 15000);
}

#[tokio::test]
async fn oversized_and_binary_lines_are_refused_without_harm() {
    let (_, pool) = fresh_database().await;
    let huge = format!(
        "{{\"account_id\":\"{}\"}}",
        "A".repeat(import::MAX_LINE_BYTES + 10)
    );
    let input = format!("{huge}\n\u{0}\u{1}\n{}", "\u{FFFD}");
    let errors = errors(import_customers(&pool, CustomerFormat::JsonLines, input.as_bytes()).await);
    assert!(
        errors[0].starts_with("line 1: line: longer than"),
        "{errors:?}"
    );
    assert!(errors.len() >= 2);
    let invalid_utf8: &[u8] = b"{\"account_id\":\"\xff\xfe\"}\n";
    let errors = errors_bytes(&pool, invalid_utf8).await;
    assert_eq!(errors, ["line 1: line: UTF-8 text expected"]);
    assert_eq!(count(&pool, "customers").await, 0);
}

async fn errors_bytes(pool: &sqlx::PgPool, input: &[u8]) -> Vec<String> {
    errors(import_customers(pool, CustomerFormat::JsonLines, input).await)
}

#[tokio::test]
async fn crlf_files_report_the_line_a_spreadsheet_shows() {
    let (_, pool) = fresh_database().await;
    let csv = "account_id,name,email,phone,channel,locale\r\n\
               ACC-1,Jane Doe,jane@example.com,,email,en\r\n\
               ACC-2,Sam,,+15550100123,sms,en\r\n\
               ACC-3,Bad Email,not-an-email,,,en\r\n\
               ACC-4,\"Quoted, with a comma\",q@example.com,,,\"en\"\r\n\
               ACC-5,Bad Phone,,5551234,,en\r\n";
    let errors = errors(import_customers(&pool, CustomerFormat::Csv, csv.as_bytes()).await);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].starts_with("line 4: email:"), "{errors:#?}");
    assert!(errors[1].starts_with("line 6: phone:"), "{errors:#?}");
    let good = "account_id,name,email,phone,channel,locale\r\n\
                ACC-4,\"Quoted, with a comma\",q@example.com,,,\"en-GB\"\r\n\
                ACC-5,Plain,p@example.com,,email,de\r\n";
    import_customers(&pool, CustomerFormat::Csv, good.as_bytes())
        .await
        .unwrap();
    let locales: Vec<String> =
        sqlx::query_scalar("SELECT locale FROM customers ORDER BY account_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(locales, ["en-GB", "de"], "no carriage return kept");
    let jsonl = BILLS_JSONL
        .replace('\n', "\r\n")
        .replacen("\"USD\"", "\"XXY\"", 2);
    let errors = errors_of_bills(&pool, &jsonl).await;
    assert!(errors[0].starts_with("line 1: "), "{errors:#?}");
}

#[tokio::test]
async fn dates_postgresql_cannot_store_are_refused_by_field_and_line() {
    let (_, pool) = fresh_database().await;
    import_customers(&pool, CustomerFormat::Csv, CUSTOMERS_CSV.as_bytes())
        .await
        .unwrap();
    let bill = BILLS_JSONL.lines().next().unwrap();
    let hostile = [
        bill.replace("\"2026-09-01\"", "\"-5000-01-01\""),
        bill.replace("\"2026-10-23\"", "\"+275760-09-13\""),
        bill.replace("\"2026-10-02\"", "\"0000-01-01\""),
    ]
    .join("\n");
    let errors = errors_of_bills(&pool, &hostile).await;
    for expected in [
        "line 1: period_start: a date like 2026-11-02 expected",
        "line 2: due_on: a date like 2026-11-02 expected",
        "line 3: issued_on: a date like 2026-11-02 expected",
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "missing {expected:?} in {errors:#?}"
        );
    }
    assert_eq!(count(&pool, "bills").await, 0);
}
