//! The composition root: builds each component from the settings, runs the web server and
//! the background workers, and stops them in order on SIGTERM or Ctrl-C.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use tokio::sync::watch;

use crate::config::{LinkSettings, Settings};
use crate::cycle::runner::Runner;
use crate::delivery::{EmailSender, Outbox, SmsSender};
use crate::infra::db;
use crate::links::mint::LinkConfig;
use crate::links::{Minter, requests};
use crate::tokens::TokenIssuer;
use crate::tokens::keys::Keyring;
use crate::web::{AppState, Application};

/// The signer for new links, from the keys directory.
pub fn minter(links: &LinkSettings) -> anyhow::Result<Minter> {
    let keyring = Arc::new(Keyring::open(&links.keys.keys_dir)?);
    Ok(Minter {
        issuer: TokenIssuer::new(keyring, links.token_settings()),
        config: Arc::new(LinkConfig {
            ttl: links.link_ttl,
            base_url: links.base().to_owned(),
        }),
    })
}

/// `billpass serve`, ready to run: keys read, senders built and the address bound, so a
/// wrong setting stops it before it touches the database.
pub struct Serve {
    settings: Arc<Settings>,
    minter: Minter,
    listener: Option<TcpListener>,
    senders: Option<(EmailSender, SmsSender)>,
}

impl Serve {
    /// Web pages when `web`, delivery workers and the cycle-run scheduler when `workers`.
    pub fn prepare(settings: Arc<Settings>, web: bool, workers: bool) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !workers || settings.delivery.send_timeout < settings.delivery.delivery_lease,
            "BILLPASS_SEND_TIMEOUT: must be shorter than BILLPASS_DELIVERY_LEASE, or another worker sends a slow message again"
        );
        let listener = if web {
            let listen = settings.web.listen;
            Some(
                TcpListener::bind(listen)
                    .with_context(|| format!("BILLPASS_LISTEN: cannot listen on {listen}"))?,
            )
        } else {
            None
        };
        let senders = if workers {
            Some((EmailSender::new(&settings)?, SmsSender::new(&settings)?))
        } else {
            None
        };
        let minter = minter(&settings.links)?;
        Ok(Self {
            settings,
            minter,
            listener,
            senders,
        })
    }

    /// The signer of new links, from the keys directory.
    pub fn minter(&self) -> &Minter {
        &self.minter
    }

    /// Serves until SIGINT or SIGTERM, then stops taking connections and work, lets
    /// requests and sends in flight finish (within their grace periods), hands back the
    /// deliveries and cycle runs it still holds, and returns.
    pub async fn run(self, pool: PgPool) -> anyhow::Result<()> {
        let Self {
            settings,
            minter,
            listener,
            senders,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let workers_pool = db::pool_beside(&pool, db::POOL_SIZE);
        let workers = senders.map(|(email, sms)| {
            let pool = workers_pool.clone();
            let outbox = Arc::new(Outbox::with_senders(
                pool.clone(),
                &settings,
                minter.clone(),
                email,
                sms,
            ));
            let runner = Arc::new(
                Runner::new(pool.clone(), minter.clone(), settings.runs.run_lease)
                    .until(stop_rx.clone()),
            );
            let (requests_pool, requests_minter) = (pool.clone(), minter.clone());
            let daily_limit = settings.limits.renew_daily_limit;
            (
                tokio::spawn(outbox.run(stop_rx.clone())),
                // Starts scheduled runs when due and takes over runs whose worker died.
                tokio::spawn(keep_working("cycle run", stop_rx.clone(), move || {
                    let runner = runner.clone();
                    async move { Ok(runner.work_due().await?.is_some()) }
                })),
                tokio::spawn(keep_working("link requests", stop_rx, move || {
                    let (pool, minter) = (requests_pool.clone(), requests_minter.clone());
                    async move {
                        requests::answer_pending(&pool, &minter, daily_limit).await?;
                        Ok(false)
                    }
                })),
            )
        });
        let web = match listener {
            Some(listener) => {
                let state = AppState::new(pool.clone(), minter, settings.clone());
                let app = Application::build(state, listener)?;
                tracing::info!(
                    "listening on http://{} (links use {})",
                    settings.web.listen,
                    settings.links.public_url
                );
                Some((app.handle(), tokio::spawn(app.run_until_stopped())))
            }
            None => None,
        };
        shutdown_signal().await?;
        tracing::info!(
            "shutting down: taking no new connections or work; finishing what is in flight"
        );
        let _ = stop_tx.send(true);
        if let Some((handle, server)) = web {
            handle.stop(true).await;
            server.await??;
        }
        if let Some((outbox, scheduler, requests)) = workers {
            outbox.await?;
            scheduler.await?;
            requests.await?;
        }
        workers_pool.close().await;
        pool.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = terminate.recv() => Ok(()),
    }
}

/// Does `job` until `stop`: again at once while it finds work (it returns `true`), else a
/// second later; a failure is logged and tried again.
async fn keep_working<F, Fut>(what: &str, mut stop: watch::Receiver<bool>, mut job: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    loop {
        if *stop.borrow() {
            return;
        }
        match job().await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!("{what}: {error:#}; trying again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}
