//! Minting links: each customer's newest link supersedes the one before in the same
//! transaction, and is written with the delivery that carries it (the outbox). A link
//! minted earlier can be signed again when its message needs it anew.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{PgConnection, PgPool};

use super::short::{ShortCode, SmsLink};
use crate::billing::customers::{Customer, Destination};
use crate::domain::{BillId, BrandId, Channel, CustomerId, DeliveryId, LinkId, MintReason};
use crate::infra::db::{self, CopyText};
use crate::observe::metrics::{self, DeliveryEvent};
use crate::tokens::{Audience, TokenIssuer};

/// A link to mint: for whom, to which bill, and where it goes.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub customer_id: CustomerId,
    pub bill_id: BillId,
    pub destination: Destination,
    /// The customer's brand, whose audience and key the token gets.
    pub brand: BrandId,
}

/// How a brand's links are minted: its tokens' audience and key, and the base URL its links
/// are written on.
#[derive(Debug, Clone)]
struct BrandMinting {
    audience: String,
    /// `None`: the keyring's current key.
    kid: Option<String>,
    /// `https://bills.example.com`, without a trailing slash.
    base_url: String,
}

/// Links with their signed tokens, ready to be written.
pub struct SignedLinks {
    pub jtis: Vec<LinkId>,
    pub links: Vec<NewLink>,
    tokens: Vec<String>,
    /// Per brand of the links: the key that signed them and where their links point.
    signers: HashMap<BrandId, (String, String)>,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl SignedLinks {
    /// Counts the links and their deliveries in the metrics, once written.
    fn count_written(&self, reason: MintReason<'_>) {
        metrics::tokens_minted(reason, self.links.len());
        for channel in [Channel::Email, Channel::Sms] {
            let queued = self
                .links
                .iter()
                .filter(|l| l.destination.channel == channel);
            metrics::deliveries(channel, DeliveryEvent::Queued, queued.count() as u64);
        }
    }
}

/// A freshly minted link and the delivery queued to carry it.
#[derive(Debug, Clone)]
pub struct Minted {
    pub jti: LinkId,
    pub delivery_id: DeliveryId,
    pub destination: Destination,
}

/// Writes of signed links retried after meeting a link minted meanwhile.
const WRITE_ATTEMPTS: u32 = 5;

/// The channel the delivery workers are woken on when deliveries are queued.
pub const OUTBOX_CHANNEL: &str = "billpass_deliveries";

/// Wakes the delivery workers (when the transaction commits).
pub async fn notify_outbox(conn: &mut PgConnection) -> sqlx::Result<()> {
    db::notify(conn, OUTBOX_CHANNEL).await
}

/// How links are made: how long they work, and, for the default brand, the base they are
/// written on and the audience of their tokens.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    pub ttl: Duration,
    /// `https://bills.example.com`, without a trailing slash.
    pub base_url: String,
    /// The default brand's tokens' `aud`.
    pub audience: String,
    /// The link text messages carry.
    pub sms_link: SmsLink,
}

/// The link for a token: `{base_url}/b/{token}`.
fn token_link(base_url: &str, token: &str) -> String {
    format!("{base_url}/b/{token}")
}

/// The short link for a code: `{base_url}/s/{code}`.
fn short_link(base_url: &str, code: &ShortCode) -> String {
    format!("{base_url}/s/{}", code.as_str())
}

impl LinkConfig {
    /// How the default brand's links are minted.
    fn default_minting(&self) -> BrandMinting {
        BrandMinting {
            audience: self.audience.clone(),
            kid: None,
            base_url: self.base_url.clone(),
        }
    }
}

/// How the links of `brands` are minted, read where they are stored (the default brand's
/// from the settings): a brand added a moment ago is minted for at once.
async fn minting(
    conn: &mut PgConnection,
    config: &LinkConfig,
    brands: impl Iterator<Item = &BrandId>,
) -> anyhow::Result<HashMap<BrandId, BrandMinting>> {
    let mut found = HashMap::from([(BrandId::default_brand(), config.default_minting())]);
    let stored: Vec<String> = brands
        .filter_map(|brand| brand.stored().map(str::to_owned))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if stored.is_empty() {
        return Ok(found);
    }
    let rows = sqlx::query!(
        r#"SELECT id AS "id: BrandId", audience, public_url, signing_kid FROM brands
           WHERE id = ANY($1)"#,
        &stored,
    )
    .fetch_all(conn)
    .await?;
    for row in rows {
        let base_url = row.public_url.as_deref().unwrap_or(&config.base_url);
        found.insert(
            row.id,
            BrandMinting {
                audience: row.audience,
                kid: row.signing_kid,
                base_url: base_url.trim_end_matches('/').to_owned(),
            },
        );
    }
    Ok(found)
}

/// Mints tokens and writes them, with their deliveries, to the database.
#[derive(Clone)]
pub struct Minter {
    pub issuer: TokenIssuer,
    pub config: Arc<LinkConfig>,
}

impl Minter {
    /// Draws the ids (the `jti`s) of the next `n` links.
    pub async fn next_ids(conn: &mut PgConnection, n: usize) -> sqlx::Result<Vec<LinkId>> {
        sqlx::query_scalar!(
            r#"SELECT nextval('link_tokens_id_seq') AS "id!: LinkId" FROM generate_series(1, $1)"#,
            n as i64
        )
        .fetch_all(conn)
        .await
    }

    /// Mints a link to the customer's latest bill; `None` when they have no bill yet.
    pub async fn mint_to_latest_bill(
        &self,
        conn: &mut PgConnection,
        customer: &Customer,
        destination: Destination,
        reason: MintReason<'_>,
        minted_by: &str,
    ) -> anyhow::Result<Option<Minted>> {
        let Some(bill_id) = latest_bill(conn, customer.id).await? else {
            return Ok(None);
        };
        let jtis = Self::next_ids(conn, 1).await?;
        let link = NewLink {
            customer_id: customer.id,
            bill_id,
            destination,
            brand: customer.brand.clone(),
        };
        let mut signed = self.sign(conn, jtis, vec![link]).await?;
        let deliveries = self
            .write_superseding(conn, &signed, reason, minted_by)
            .await?;
        let link = signed.links.remove(0);
        Ok(Some(Minted {
            jti: signed.jtis[0],
            delivery_id: deliveries[0],
            destination: link.destination,
        }))
    }

    /// Signs link `jtis[i]` (from [`Self::next_ids`]) for each of `links`, each with its
    /// brand's audience and key, spreading the work over the cores.
    pub async fn sign(
        &self,
        conn: &mut PgConnection,
        jtis: Vec<LinkId>,
        links: Vec<NewLink>,
    ) -> anyhow::Result<SignedLinks> {
        anyhow::ensure!(jtis.len() == links.len(), "one jti per link");
        let issued_at = Utc::now().trunc_subsecs(0);
        let expires_at = issued_at + chrono::Duration::from_std(self.config.ttl)?;
        let brands = minting(conn, &self.config, links.iter().map(|l| &l.brand)).await?;
        // The links of each brand, by their place in `links`.
        let mut by_brand: HashMap<BrandId, Vec<usize>> = HashMap::new();
        for (i, link) in links.iter().enumerate() {
            by_brand.entry(link.brand.clone()).or_default().push(i);
        }
        let mut tokens = vec![String::new(); links.len()];
        let mut signers = HashMap::new();
        for (brand, places) in by_brand {
            let minting = brands
                .get(&brand)
                .with_context(|| format!("no brand `{brand}`"))?
                .clone();
            let pairs: Vec<(LinkId, CustomerId)> = places
                .iter()
                .map(|&i| (jtis[i], links[i].customer_id))
                .collect();
            let issuer = self.issuer.clone();
            let audience = minting.audience.clone();
            let kid = minting.kid.clone();
            let (signed, kid) = tokio::task::spawn_blocking(move || {
                let audience = Audience {
                    aud: &audience,
                    kid: kid.as_deref(),
                };
                issuer.sign_all(&pairs, audience, issued_at, expires_at)
            })
            .await??;
            for (i, token) in places.into_iter().zip(signed) {
                tokens[i] = token;
            }
            signers.insert(brand, (kid, minting.base_url));
        }
        Ok(SignedLinks {
            jtis,
            links,
            tokens,
            signers,
            issued_at,
            expires_at,
        })
    }

    /// Writes signed links for customers whose rows the transaction has locked (see
    /// [`Customer::lock`]) or whose links nobody else mints meanwhile (a cycle run's batch):
    /// supersedes each customer's previous link, records the new ones and queues their
    /// deliveries. Returns the delivery ids, in order.
    pub async fn write(
        &self,
        conn: &mut PgConnection,
        signed: &SignedLinks,
        reason: MintReason<'_>,
        minted_by: &str,
    ) -> anyhow::Result<Vec<DeliveryId>> {
        let SignedLinks {
            jtis,
            links,
            tokens,
            signers,
            issued_at,
            expires_at,
        } = signed;
        let customers: Vec<CustomerId> = links.iter().map(|l| l.customer_id).collect();
        sqlx::query!(
            "UPDATE link_tokens SET superseded_at = $2
             WHERE customer_id = ANY($1) AND superseded_at IS NULL",
            &customers as &[CustomerId],
            issued_at,
        )
        .execute(&mut *conn)
        .await
        .context("superseding the previous links")?;
        let deliveries = sqlx::query_scalar!(
            r#"SELECT nextval('deliveries_id_seq') AS "id!: DeliveryId" FROM generate_series(1, $1)"#,
            links.len() as i64
        )
        .fetch_all(&mut *conn)
        .await?;
        // COPY, as runtime SQL (no macro checks it): a cycle run writes millions of these
        // rows, about twice as fast as INSERT.
        let (minted_at, expires_at) = (issued_at.to_rfc3339(), expires_at.to_rfc3339());
        let mut token_rows = CopyText::default();
        let mut delivery_rows = CopyText::default();
        let mut short_rows = CopyText::default();
        for (((id, link), token), delivery) in jtis.iter().zip(links).zip(tokens).zip(&deliveries) {
            let channel = link.destination.channel.as_str();
            let (kid, base_url) = &signers[&link.brand];
            token_rows
                .int(id.0)
                .int(link.customer_id.0)
                .int(link.bill_id.0)
                .text(channel)
                .text(kid)
                .text(reason.as_str())
                .text_or_null(reason.cycle())
                .text(minted_by)
                .text(&minted_at)
                .text(&expires_at)
                .text_or_null(link.brand.stored())
                .end_row();
            let sent = match (link.destination.channel, self.config.sms_link) {
                (Channel::Sms, SmsLink::Short) => {
                    let code = ShortCode::random();
                    code.copy_hash(&mut short_rows);
                    short_rows.int(id.0).end_row();
                    short_link(base_url, &code)
                }
                _ => token_link(base_url, token),
            };
            delivery_rows
                .int(delivery.0)
                .int(id.0)
                .text(channel)
                .text(&link.destination.address)
                .text(&sent)
                .text_or_null(reason.cycle())
                .end_row();
        }
        token_rows
            .copy_into(
                conn,
                "COPY link_tokens (id, customer_id, bill_id, channel, kid, reason, cycle, minted_by, minted_at, expires_at, brand_id)
                 FROM STDIN",
            )
            .await
            .context("recording the links")?;
        delivery_rows
            .copy_into(
                conn,
                "COPY deliveries (id, token_id, channel, destination, link, cycle) FROM STDIN",
            )
            .await
            .context("queueing the deliveries")?;
        if !short_rows.is_empty() {
            short_rows
                .copy_into(conn, "COPY short_links (code_hash, token_id) FROM STDIN")
                .await
                .context("recording the short links")?;
        }
        notify_outbox(conn).await?;
        Ok(deliveries)
    }

    /// [`Self::write`] in a savepoint, written again when it meets a link minted meanwhile:
    /// a cycle run's batch does not lock its customers, so it and a resend or renewal may
    /// each give a customer a new current link between the other's read and write. The
    /// second writer supersedes the first one's link on its next try.
    pub async fn write_superseding(
        &self,
        conn: &mut PgConnection,
        signed: &SignedLinks,
        reason: MintReason<'_>,
        minted_by: &str,
    ) -> anyhow::Result<Vec<DeliveryId>> {
        let mut attempts = 1;
        loop {
            let mut savepoint = sqlx::Connection::begin(&mut *conn).await?;
            match self.write(&mut savepoint, signed, reason, minted_by).await {
                Ok(deliveries) => {
                    savepoint.commit().await?;
                    signed.count_written(reason);
                    return Ok(deliveries);
                }
                Err(error) if is_link_conflict(&error) && attempts < WRITE_ATTEMPTS => {
                    savepoint.rollback().await?;
                    attempts += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// A link as recorded when it was minted: enough to sign its token again.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: LinkId,
    pub customer_id: CustomerId,
    pub kid: String,
    pub minted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The brand it was minted for.
    pub brand: BrandId,
}

impl IssuedToken {
    /// The customer's current link (superseded by none), revoked or expired or not.
    pub async fn current(
        conn: &mut PgConnection,
        customer_id: CustomerId,
    ) -> sqlx::Result<Option<IssuedToken>> {
        sqlx::query_as!(
            IssuedToken,
            r#"SELECT id AS "id: LinkId", customer_id AS "customer_id: CustomerId", kid, minted_at,
                      expires_at, revoked_at, COALESCE(brand_id, 'default') AS "brand!: BrandId"
               FROM link_tokens WHERE customer_id = $1 AND superseded_at IS NULL"#,
            customer_id as CustomerId,
        )
        .fetch_optional(conn)
        .await
    }

    /// The link a delivery carries.
    pub async fn of_delivery(
        conn: &mut PgConnection,
        delivery_id: DeliveryId,
    ) -> sqlx::Result<Option<IssuedToken>> {
        sqlx::query_as!(
            IssuedToken,
            r#"SELECT t.id AS "id: LinkId", t.customer_id AS "customer_id: CustomerId", t.kid,
                      t.minted_at, t.expires_at, t.revoked_at,
                      COALESCE(t.brand_id, 'default') AS "brand!: BrandId"
               FROM link_tokens t JOIN deliveries d ON d.token_id = t.id WHERE d.id = $1"#,
            delivery_id as DeliveryId,
        )
        .fetch_optional(conn)
        .await
    }

    /// Not revoked and not expired (superseded or not is for the caller to know).
    pub fn opens_a_bill(&self) -> bool {
        self.revoked_at.is_none() && self.expires_at > Utc::now()
    }
}

impl Minter {
    /// The link of a token minted earlier, signed again with the key that signed it: the
    /// database keeps no link once its message is sent. Ed25519 and RS256 sign alike each
    /// time, so the link is the very one sent; an ES256 signature differs but verifies the
    /// same. `None` once that key has left the keys directory.
    pub async fn link_again(
        &self,
        conn: &mut PgConnection,
        token: &IssuedToken,
    ) -> anyhow::Result<Option<String>> {
        let brands = minting(conn, &self.config, [&token.brand].into_iter()).await?;
        let minting = brands
            .get(&token.brand)
            .context("the link's brand is gone")?;
        let signed = self.issuer.sign_again(
            &token.kid,
            (token.id, token.customer_id),
            &minting.audience,
            token.minted_at,
            token.expires_at,
        )?;
        Ok(signed.map(|token| token_link(&minting.base_url, &token)))
    }
}

/// When the last unexpired link signed by key `kid` expires; `None` when none is left, and
/// the key can be deleted.
pub async fn outstanding_until(pool: &PgPool, kid: &str) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        "SELECT max(expires_at) FROM link_tokens WHERE kid = $1 AND expires_at > now()",
        kid
    )
    .fetch_one(pool)
    .await
}

/// The customer's most recent bill.
async fn latest_bill(
    conn: &mut PgConnection,
    customer_id: CustomerId,
) -> sqlx::Result<Option<BillId>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id: BillId" FROM bills WHERE customer_id = $1
           ORDER BY period_end DESC, id DESC LIMIT 1"#,
        customer_id as CustomerId,
    )
    .fetch_optional(conn)
    .await
}

/// A write that met a link minted meanwhile for one of its customers (the partial unique
/// index of current links refused a second one): writing again supersedes it.
pub fn is_link_conflict(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|e| e.constraint() == Some("link_tokens_current_idx"))
    })
}
