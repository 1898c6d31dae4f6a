//! `docker-compose.yml` and the `Dockerfile`, read as Docker would: no Docker engine runs
//! here, so their wiring is checked by parsing them.

use std::collections::BTreeSet;

use billpass::cli::Cli;
use clap::CommandFactory;
use serde_norway::Value;
use url::Url;

/// SMTP port of the Mailpit image.
const MAILPIT_SMTP_PORT: u16 = 1025;
/// Web UI port of the Mailpit image.
const MAILPIT_UI_PORT: &str = "8025";

fn repo_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn compose() -> Value {
    serde_norway::from_str(&repo_file("docker-compose.yml")).expect("docker-compose.yml is YAML")
}

fn service<'a>(compose: &'a Value, name: &str) -> &'a Value {
    let service = &compose["services"][name];
    assert!(service.is_mapping(), "compose has no service {name}");
    service
}

/// The service whose image is `image` (`postgres`, `axllent/mailpit`), whatever its tag.
fn service_running<'a>(compose: &'a Value, image: &str) -> (&'a str, &'a Value) {
    let services = compose["services"].as_mapping().expect("services");
    services
        .iter()
        .find(|(_, s)| {
            s["image"]
                .as_str()
                .is_some_and(|i| i.split(':').next() == Some(image))
        })
        .map(|(name, s)| (name.as_str().expect("a service name"), s))
        .unwrap_or_else(|| panic!("no service runs {image}"))
}

fn env<'a>(service: &'a Value, name: &str) -> &'a str {
    service["environment"][name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not set"))
}

fn condition<'a>(service: &'a Value, dependency: &str) -> &'a str {
    service["depends_on"][dependency]["condition"]
        .as_str()
        .unwrap_or_else(|| panic!("no condition on {dependency}"))
}

/// `"8080:8080"` entries of a service's `ports`, as (host, container).
fn published(service: &Value) -> Vec<(String, String)> {
    service["ports"]
        .as_sequence()
        .map(|ports| {
            ports
                .iter()
                .filter_map(|p| p.as_str()?.split_once(':'))
                .map(|(host, container)| (host.to_owned(), container.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The instructions of the Dockerfile's stages, joined across line continuations.
fn dockerfile_stages() -> Vec<Vec<String>> {
    let text = repo_file("Dockerfile").replace("\\\n", " ");
    let mut stages: Vec<Vec<String>> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("FROM ") {
            stages.push(Vec::new());
        }
        stages
            .last_mut()
            .expect("the Dockerfile starts with FROM")
            .push(line.to_owned());
    }
    stages
}

/// `NAME=value` pairs of a stage's `ENV` instructions.
fn stage_env(stage: &[String]) -> Vec<(String, String)> {
    stage
        .iter()
        .filter_map(|line| line.strip_prefix("ENV "))
        .flat_map(str::split_whitespace)
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

#[test]
fn compose_sends_billpass_mail_to_the_mail_catcher_and_reads_the_postgres_service() {
    let compose = compose();
    let (mailpit, _) = service_running(&compose, "axllent/mailpit");
    let (db_name, db) = service_running(&compose, "postgres");
    for name in ["billpass", "setup"] {
        let billpass = service(&compose, name);

        let smtp = Url::parse(env(billpass, "BILLPASS_SMTP_URL")).unwrap();
        assert_eq!(smtp.scheme(), "smtp", "{name}: Mailpit speaks plain SMTP");
        assert_eq!(smtp.host_str(), Some(mailpit), "{name}: SMTP host");
        assert_eq!(smtp.port(), Some(MAILPIT_SMTP_PORT), "{name}: SMTP port");

        let database = Url::parse(env(billpass, "DATABASE_URL")).unwrap();
        assert_eq!(database.host_str(), Some(db_name), "{name}: database host");
        assert_eq!(database.port().unwrap_or(5432), 5432);
        assert_eq!(database.username(), env(db, "POSTGRES_USER"));
        assert_eq!(database.password(), Some(env(db, "POSTGRES_PASSWORD")));
        assert_eq!(database.path(), format!("/{}", env(db, "POSTGRES_DB")));
    }
}

#[test]
fn compose_starts_billpass_after_a_healthy_database_and_mail_catcher_and_a_finished_setup() {
    let compose = compose();
    let (db_name, db) = service_running(&compose, "postgres");
    let (mailpit_name, mailpit) = service_running(&compose, "axllent/mailpit");
    for healthy in [db, mailpit] {
        assert!(
            healthy["healthcheck"]["test"].is_sequence(),
            "a healthcheck"
        );
    }
    let billpass = service(&compose, "billpass");
    assert_eq!(condition(billpass, db_name), "service_healthy");
    assert_eq!(condition(billpass, mailpit_name), "service_healthy");
    assert_eq!(
        condition(billpass, "setup"),
        "service_completed_successfully"
    );
    assert_eq!(
        condition(service(&compose, "setup"), db_name),
        "service_healthy"
    );
    assert!(
        service(&compose, "setup")["profiles"].is_null(),
        "`docker compose up` runs the setup too"
    );
}

#[test]
fn compose_publishes_the_pages_where_the_links_point_and_the_mail_catcher_ui() {
    let compose = compose();
    let billpass = service(&compose, "billpass");
    let public = Url::parse(env(billpass, "BILLPASS_PUBLIC_URL")).unwrap();
    let runtime = dockerfile_stages().pop().unwrap();
    let listen = stage_env(&runtime)
        .into_iter()
        .find(|(name, _)| name == "BILLPASS_LISTEN")
        .map(|(_, value)| value)
        .expect("the image sets BILLPASS_LISTEN");
    let (address, listen_port) = listen.rsplit_once(':').unwrap();
    assert_eq!(address, "0.0.0.0", "reachable from outside the container");
    assert!(
        published(billpass).iter().any(|(host, container)| *host
            == public.port_or_known_default().unwrap().to_string()
            && container == listen_port),
        "the links' port leads to the port billpass listens on"
    );
    assert!(runtime.contains(&format!("EXPOSE {listen_port}")));

    let (_, mailpit) = service_running(&compose, "axllent/mailpit");
    assert!(published(mailpit).contains(&(MAILPIT_UI_PORT.into(), MAILPIT_UI_PORT.into())));
}

#[test]
fn every_billpass_variable_in_compose_and_the_image_is_a_setting() {
    fn envs_of(command: &clap::Command, into: &mut BTreeSet<String>) {
        into.extend(
            command
                .get_arguments()
                .filter_map(|a| a.get_env())
                .map(|e| e.to_string_lossy().into_owned()),
        );
        for sub in command.get_subcommands() {
            envs_of(sub, into);
        }
    }
    let mut settings = BTreeSet::new();
    envs_of(&Cli::command(), &mut settings);
    assert!(settings.contains("BILLPASS_SMTP_URL"), "{settings:?}");

    let compose = compose();
    let mut used: Vec<String> = compose["services"]
        .as_mapping()
        .unwrap()
        .values()
        .filter_map(|s| s["environment"].as_mapping())
        .flat_map(|env| env.keys().filter_map(|k| k.as_str().map(str::to_owned)))
        .collect();
    used.extend(
        dockerfile_stages()
            .iter()
            .flat_map(|stage| stage_env(stage))
            .map(|(name, _)| name),
    );
    let unknown: Vec<&String> = used
        .iter()
        .filter(|name| name.starts_with("BILLPASS_") || *name == "DATABASE_URL")
        .filter(|name| !settings.contains(*name))
        .collect();
    assert!(unknown.is_empty(), "not settings: {unknown:?}");
}

#[test]
fn image_builds_offline_and_runs_slim_as_an_unprivileged_user() {
    let stages = dockerfile_stages();
    assert!(stages.len() >= 2, "a build stage and a runtime stage");
    let (build, runtime) = (&stages[0], stages.last().unwrap());
    assert!(
        stage_env(build).contains(&("SQLX_OFFLINE".into(), "true".into())),
        "the build never needs a database"
    );
    // Everything the build reads: sources, the SQL's descriptions, the migrations and
    // templates compiled in, the stylesheet and example data included, and the benchmark
    // that Cargo.toml declares.
    for dir in [
        ".sqlx",
        "src",
        "migrations",
        "templates",
        "assets",
        "examples",
        "benches",
    ] {
        assert!(
            build.contains(&format!("COPY {dir} {dir}")),
            "the build stage copies {dir}/"
        );
    }
    assert!(
        build
            .iter()
            .any(|l| l.contains("cargo build --release --locked"))
    );

    let base = runtime[0].trim_start_matches("FROM ");
    assert!(
        base.contains("slim") || base.contains("distroless"),
        "a small runtime image, not {base}"
    );
    let user = runtime
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the runtime stage sets USER");
    let name = user.split(':').next().unwrap();
    assert!(name != "root" && name != "0", "runs as {user}");
    assert!(runtime.iter().any(|l| l.starts_with("COPY --from=")));

    // The volumes compose mounts start out owned by that user.
    let dirs: Vec<String> = stage_env(runtime)
        .into_iter()
        .filter(|(name, _)| name == "BILLPASS_KEYS_DIR" || name == "BILLPASS_OUTBOX_DIR")
        .map(|(_, dir)| dir)
        .collect();
    assert_eq!(dirs.len(), 2);
    let compose = compose();
    let mounts: Vec<&str> = service(&compose, "billpass")["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str()?.split(':').nth(1))
        .collect();
    for dir in &dirs {
        assert!(mounts.contains(&dir.as_str()), "a volume at {dir}");
        assert!(
            runtime
                .iter()
                .any(|l| l.contains("install -d -o billpass") && l.contains(dir.as_str())),
            "{dir} is created for the user"
        );
    }
}
