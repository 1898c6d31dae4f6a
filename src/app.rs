//! The composition root: builds each component from the settings, runs the web server and
//! the background workers, and stops them in order on SIGTERM or Ctrl-C.

use std::net::TcpListener;
use std::sync::Arc;

use anyhow::Context;
use sqlx::PgPool;
use tokio::sync::watch;

use crate::billing::brands::Brands;
use crate::config::{LinkSettings, Settings};
use crate::cycle::RUNS_CHANNEL;
use crate::cycle::runner::{DueRuns, Runner};
use crate::delivery::staff_sign_in::StaffSignIns;
use crate::delivery::{
    DeliveryConfig, EmailConfig, EmailSender, GatewayConfig, LaneConfig, Outbox, RetryPolicy,
    SmsConfig, SmsGateway, SmsSender, TwilioConfig,
};
use crate::domain::Brand;
use crate::infra::db;
use crate::infra::jobs::{self, Waker};
use crate::links::Minter;
use crate::links::mint::LinkConfig;
use crate::links::requests::{PendingRequests, REQUESTS_CHANNEL};
use crate::links::staff_sign_in::SIGN_IN_CHANNEL;
use crate::staff::oidc::OidcConfig;
use crate::tokens::keys::Keyring;
use crate::tokens::{TokenIssuer, TokenSettings};
use crate::web::{AppState, Application, WebConfig};

/// The signer for new links, from the keys directory.
pub fn minter(links: &LinkSettings) -> anyhow::Result<Minter> {
    let keyring = Arc::new(Keyring::open(&links.keys.keys_dir)?);
    let tokens = TokenSettings {
        issuer: links.token_issuer.clone(),
    };
    Ok(Minter {
        issuer: TokenIssuer::new(keyring, tokens),
        config: Arc::new(LinkConfig {
            ttl: links.link_ttl,
            base_url: links.base().to_owned(),
            audience: links.token_audience.clone(),
            sms_link: links.sms_link,
        }),
    })
}

/// How messages are sent; a gateway without what it needs is refused, naming the setting.
pub fn delivery_config(settings: &Settings) -> anyhow::Result<DeliveryConfig> {
    let delivery = &settings.delivery;
    let gateway = match delivery.sms_gateway {
        None => None,
        Some(kind) => {
            let required = |value: &Option<String>, name: &str| {
                value
                    .clone()
                    .with_context(|| format!("{name}: required when BILLPASS_SMS_GATEWAY is set"))
            };
            let url = delivery
                .sms_url
                .clone()
                .context("BILLPASS_SMS_URL: required when BILLPASS_SMS_GATEWAY is set")?;
            let auth_token = delivery
                .sms_auth_token
                .clone()
                .context("BILLPASS_SMS_AUTH_TOKEN: required when BILLPASS_SMS_GATEWAY is set")?;
            let twilio = match kind {
                SmsGateway::Twilio => Some(TwilioConfig {
                    account_sid: required(&delivery.sms_account_sid, "BILLPASS_SMS_ACCOUNT_SID")?,
                    from: required(&delivery.sms_from, "BILLPASS_SMS_FROM")?,
                    status_callback: format!("{}/webhooks/sms/status", settings.links.base()),
                }),
                SmsGateway::Http => None,
            };
            Some(GatewayConfig {
                kind,
                url,
                auth_token,
                twilio,
            })
        }
    };
    Ok(DeliveryConfig {
        outbox_dir: delivery.outbox_dir.clone(),
        email: EmailConfig {
            smtp_url: delivery.smtp_url.clone(),
            from: delivery.email_from.clone(),
            lane: LaneConfig {
                concurrency: delivery.email_concurrency,
                rate: delivery.email_rate,
            },
        },
        sms: SmsConfig {
            gateway,
            lane: LaneConfig {
                concurrency: delivery.sms_concurrency,
                rate: delivery.sms_rate,
            },
        },
        retry: RetryPolicy {
            base: delivery.retry_base,
            max_attempts: delivery.retry_max_attempts,
        },
        lease: delivery.delivery_lease,
        send_timeout: delivery.send_timeout,
    })
}

/// What the web server needs of the settings; an identity provider without what it needs
/// is refused, naming the setting.
pub fn web_config(settings: &Settings) -> anyhow::Result<WebConfig> {
    Ok(WebConfig {
        public_url: settings.links.public_url.clone(),
        trusted_proxies: settings.web.trusted_proxies.clone(),
        api_import_limit: settings.web.api_import_limit,
        page_db_connections: settings.web.page_db_connections,
        bill_cache_mb: settings.web.bill_cache_mb,
        limits: settings.limits.clone(),
        webhook_token: settings.delivery.sms_auth_token.clone(),
        oidc: staff_oidc(settings)?,
    })
}

/// The default brand, as the settings describe it.
pub fn default_brand(settings: &Settings) -> Brand {
    settings.brand.brand(&settings.links.token_audience)
}

/// The brands, read from the database and then again every few seconds, for as long as
/// the runtime runs.
pub async fn brands(pool: &PgPool, settings: &Settings) -> anyhow::Result<Brands> {
    let brands = Brands::load(pool, default_brand(settings))
        .await
        .context("reading the brands")?;
    tokio::spawn(brands.clone().follow(pool.clone()));
    Ok(brands)
}

/// Single sign-on for staff, when an issuer is set.
fn staff_oidc(settings: &Settings) -> anyhow::Result<Option<OidcConfig>> {
    let staff = &settings.staff;
    let Some(issuer) = &staff.staff_oidc_issuer else {
        return Ok(None);
    };
    let client_id = staff
        .staff_oidc_client_id
        .clone()
        .context("BILLPASS_STAFF_OIDC_CLIENT_ID: required with BILLPASS_STAFF_OIDC_ISSUER")?;
    let client_secret = staff
        .staff_oidc_client_secret
        .clone()
        .context("BILLPASS_STAFF_OIDC_CLIENT_SECRET: required with BILLPASS_STAFF_OIDC_ISSUER")?;
    Ok(Some(OidcConfig {
        // The issuer exactly as configured: the ID tokens' `iss` must equal it.
        issuer: issuer.as_str().trim_end_matches('/').to_owned(),
        client_id,
        client_secret,
        role_claim: staff.staff_oidc_role_claim.clone(),
        redirect_url: format!("{}/staff/oidc/callback", settings.links.base()),
        name: staff
            .staff_oidc_name
            .clone()
            .unwrap_or_else(|| issuer.host_str().unwrap_or("single sign-on").to_owned()),
    }))
}

/// `billpass serve`, ready to run: keys read, senders built and the address bound, so a
/// wrong setting stops it before it touches the database.
pub struct Serve {
    settings: Arc<Settings>,
    minter: Minter,
    listener: Option<TcpListener>,
    /// The delivery workers' configuration and senders, when this process sends.
    senders: Option<(DeliveryConfig, EmailSender, SmsSender)>,
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
            let config = delivery_config(&settings)?;
            let (email, sms) = (EmailSender::new(&config)?, SmsSender::new(&config)?);
            Some((config, email, sms))
        } else {
            None
        };
        let minter = minter(&settings.links)?;
        if web {
            web_config(&settings)?;
        }
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
        let brands = brands(&workers_pool, &settings).await?;
        let workers = senders.map(|(config, email, sms)| {
            let pool = workers_pool.clone();
            let outbox = Arc::new(Outbox::with_senders(
                pool.clone(),
                &config,
                minter.clone(),
                brands.clone(),
                email.clone(),
                sms,
            ));
            let runs = Arc::new(DueRuns(
                Runner::new(pool.clone(), minter.clone(), settings.runs.run_lease)
                    .until(stop_rx.clone()),
            ));
            let requests = Arc::new(PendingRequests {
                pool: pool.clone(),
                minter: minter.clone(),
                daily_limit: settings.limits.renew_daily_limit,
            });
            let sign_ins = Arc::new(StaffSignIns {
                pool: pool.clone(),
                minter: minter.clone(),
                email: email.clone(),
                brand: brands.default_brand().name.clone(),
            });
            (
                tokio::spawn(outbox.run(stop_rx.clone())),
                tokio::spawn(jobs::run(
                    runs,
                    pool.clone(),
                    Some(RUNS_CHANNEL),
                    Waker::default(),
                    stop_rx.clone(),
                )),
                tokio::spawn(jobs::run(
                    requests,
                    pool.clone(),
                    Some(REQUESTS_CHANNEL),
                    Waker::default(),
                    stop_rx.clone(),
                )),
                tokio::spawn(jobs::run(
                    sign_ins,
                    pool,
                    Some(SIGN_IN_CHANNEL),
                    Waker::default(),
                    stop_rx,
                )),
            )
        });
        let web = match listener {
            Some(listener) => {
                let state = AppState::new(pool.clone(), minter, brands, web_config(&settings)?)?;
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
        if let Some((outbox, scheduler, requests, sign_ins)) = workers {
            outbox.await?;
            scheduler.await?;
            requests.await?;
            sign_ins.await?;
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
