//! `billpass staff create-key | list-keys | revoke-key`, against a served instance.

use std::process::Stdio;
use std::time::Duration;

use crate::helpers::{Billpass, KillOnDrop};

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `alice`'s row of `staff list-keys`.
fn listed(bp: &Billpass, name: &str) -> String {
    stdout(&bp.run(&["staff", "list-keys"]))
        .lines()
        .find(|line| line.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("{name} is listed"))
        .to_owned()
}

#[tokio::test]
async fn staff_keys_are_created_once_listed_and_revoked_from_the_command_line() {
    let (bp, _pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    let created = stdout(&bp.run(&["staff", "create-key", "--name", "alice", "--role", "csr"]));
    let key = created.trim_end().lines().last().unwrap().to_owned();
    assert!(
        key.starts_with("bp_") && key.len() == 46,
        "the last line is the key: {created}"
    );

    let taken = bp.run(&["staff", "create-key", "--name", "alice", "--role", "admin"]);
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("an active key named alice"));
    let bad_role = bp.run(&["staff", "create-key", "--name", "bob", "--role", "boss"]);
    assert!(!bad_role.status.success());

    let log = bp.dir.path().join("serve.log");
    let server = bp
        .command(&["serve", "--web-only"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let _server = KillOnDrop(server);
    let client = reqwest::Client::new();
    let api = format!("{}/api/v1/openapi.json", bp.base());
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(response) = client.get(&api).bearer_auth(&key).send().await {
            answer = Some(response.status().as_u16());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answer, Some(200), "the new key works");

    let row = listed(&bp, "alice");
    assert!(row.contains("csr") && row.contains("active"), "{row}");
    assert!(!row.contains("never"), "the key was used: {row}");
    assert!(!stdout(&bp.run(&["staff", "list-keys"])).contains(&key));

    let revoked = stdout(&bp.run(&["staff", "revoke-key", "alice"]));
    assert!(revoked.contains("Revoked csr key alice"), "{revoked}");
    let refused = client.get(&api).bearer_auth(&key).send().await.unwrap();
    assert_eq!(
        refused.status().as_u16(),
        401,
        "a revoked key stops working at once"
    );
    assert!(listed(&bp, "alice").contains("revoked"));
    let twice = bp.run(&["staff", "revoke-key", "alice"]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("no active key alice"));

    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("/api/v1/openapi.json"),
        "requests are logged: {logs}"
    );
    assert!(!logs.contains(&key[3..]), "the key never reaches the log");
}
