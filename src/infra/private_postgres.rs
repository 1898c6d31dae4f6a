//! A throwaway PostgreSQL server in a temporary directory, from the installed binaries:
//! for `billpass demo` on a machine without a running server, and for tests that stop
//! and start the database under a running billpass.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sqlx::migrate::MigrateDatabase;

/// A private server on a free port of 127.0.0.1, with a `billpass` database, trusting
/// local connections; stopped and removed when dropped.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The unprivileged user PostgreSQL runs as when we are root.
    user: Option<String>,
    port: u16,
    url: String,
    running: bool,
}

impl PrivatePostgres {
    /// Creates a cluster and starts it.
    pub async fn start() -> anyhow::Result<Self> {
        let Some(bin) = find_server_binaries() else {
            bail!(
                "PostgreSQL is needed: set DATABASE_URL to a running server, or install PostgreSQL \
                 (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`) and try again"
            );
        };
        let dir = tempfile::Builder::new().prefix("billpass-pg-").tempdir()?;
        // PostgreSQL refuses to run as root; run it as an unprivileged user then.
        let user = if is_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };
        if let Some(user) = &user {
            let status = Command::new("chown")
                .args(["-R", user])
                .arg(dir.path())
                .status()?;
            anyhow::ensure!(
                status.success(),
                "could not hand {} to user {user}",
                dir.path().display()
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut server = Self {
            url: format!("postgres://billpass@127.0.0.1:{port}/billpass"),
            dir,
            bin,
            user,
            port,
            running: false,
        };
        let data = server.data();
        server.pg(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "billpass",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        server.start_server()?;
        sqlx::Postgres::create_database(&server.url).await.ok();
        Ok(server)
    }

    /// `postgres://billpass@127.0.0.1:PORT/billpass`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where the cluster, its socket and its log live.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stops the server the way an operator restarting it would (`pg_ctl stop -m fast`):
    /// sessions are ended, the data stays.
    pub fn stop_server(&mut self) -> anyhow::Result<()> {
        self.pg("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"])?;
        self.running = false;
        Ok(())
    }

    /// Starts the server: at first, and again after [`Self::stop_server`] on the same port
    /// with the same data.
    pub fn start_server(&mut self) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "start",
            ],
        )?;
        self.running = true;
        Ok(())
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    fn pg(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let path = self.bin.join(program);
        let mut command = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&path);
                c
            }
            None => Command::new(&path),
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .with_context(|| format!("running {}", path.display()))?;
        anyhow::ensure!(
            output.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        Ok(())
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if self.running
            && let Err(error) = self.stop_server()
        {
            eprintln!("warning: stopping the private PostgreSQL: {error:#}");
        }
    }
}

fn find_server_binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn unprivileged_user() -> anyhow::Result<String> {
    ["postgres", "nobody"]
        .into_iter()
        .find(|user| Command::new("id").arg(user).output().is_ok_and(|o| o.status.success()))
        .map(str::to_owned)
        .context("running as root and found no unprivileged user (postgres or nobody) to run PostgreSQL as")
}
