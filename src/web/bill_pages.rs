//! Rendered bill pages kept in memory, so that a bill viewed again (a reload, a print, a
//! phone bringing the tab back) is not read and drawn again. Only the page is kept: the
//! session and its link are checked in PostgreSQL on every view all the same.
//!
//! A page shows its bill, the customer's name and account and the previous bill, which
//! change only through imports. Every import announces itself on
//! [`CHANGES_CHANNEL`](crate::billing::bill::CHANGES_CHANNEL) when it commits, and every instance
//! then empties its cache. While an instance cannot hear those announcements (its listening
//! connection is down) it keeps nothing and serves nothing from memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use actix_web::web::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sqlx::PgPool;

use crate::billing::bill::CHANGES_CHANNEL;
use crate::domain::BillId;
use crate::infra::db::Heard;

/// How a bill is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The page, `GET /bill`.
    Html,
    /// The PDF, `GET /bill.pdf`.
    Pdf,
}

/// A page's weight is its size; a typical bill page is about 8 KB.
#[derive(Clone)]
struct PageSize;

impl Weighter<(BillId, Format), Bytes> for PageSize {
    fn weight(&self, _key: &(BillId, Format), page: &Bytes) -> u64 {
        page.len() as u64 + 1
    }
}

const TYPICAL_PAGE: u64 = 8 * 1024;

/// Rendered pages by bill id.
pub struct BillPages {
    pages: Option<Cache<(BillId, Format), Bytes, PageSize>>,
    /// Counts the times the cache was emptied: a page read before the last time is not kept.
    generation: AtomicU64,
    /// Whether imports can be heard now.
    listening: AtomicBool,
}

/// When a page was read, for [`BillPages::keep`].
#[derive(Debug, Clone, Copy)]
pub struct Generation(u64);

impl BillPages {
    /// A cache of at most `megabytes` of pages (none when 0) that keeps nothing until
    /// [`Self::follow_imports`] listens.
    pub fn new(megabytes: u32) -> Self {
        let bytes = u64::from(megabytes) * 1024 * 1024;
        Self {
            pages: (bytes > 0)
                .then(|| Cache::with_weighter((bytes / TYPICAL_PAGE) as usize, bytes, PageSize)),
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(false),
        }
    }

    /// The page of this bill in this format, if kept.
    pub fn get(&self, bill_id: BillId, format: Format) -> Option<Bytes> {
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        self.pages.as_ref()?.get(&(bill_id, format))
    }

    /// Call before reading a bill; pass the answer to [`Self::keep`].
    pub fn generation(&self) -> Generation {
        Generation(self.generation.load(Ordering::Acquire))
    }

    /// Keeps a page read at `read_at`, unless an import may have changed it since.
    pub fn keep(&self, bill_id: BillId, format: Format, read_at: Generation, page: Bytes) {
        let Some(pages) = &self.pages else { return };
        if self.listening.load(Ordering::Acquire)
            && self.generation.load(Ordering::Acquire) == read_at.0
        {
            pages.insert((bill_id, format), page);
            // An import heard while inserting: its clearing may have missed this page.
            if self.generation.load(Ordering::Acquire) != read_at.0 {
                pages.remove(&(bill_id, format));
            }
        }
    }

    fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(pages) = &self.pages {
            pages.clear();
        }
    }

    /// Listens for imports for as long as the task runs, emptying the cache on each, and
    /// stops using it whenever the announcements cannot be heard.
    pub async fn follow_imports(self: Arc<Self>, pool: PgPool) {
        if self.pages.is_none() {
            return;
        }
        crate::infra::db::follow(&pool, CHANGES_CHANNEL, |heard| {
            if heard == Heard::Lost {
                self.listening.store(false, Ordering::Release);
            }
            self.forget_all();
            if heard == Heard::Listening {
                self.listening.store(true, Ordering::Release);
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listening(megabytes: u32) -> BillPages {
        let pages = BillPages::new(megabytes);
        pages.listening.store(true, Ordering::Release);
        pages
    }

    #[test]
    fn a_page_read_before_an_import_is_not_kept() {
        let pages = listening(1);
        let before = pages.generation();
        pages.forget_all();
        pages.keep(BillId(1), Format::Html, before, Bytes::from_static(b"old"));
        assert_eq!(pages.get(BillId(1), Format::Html), None);
        pages.keep(
            BillId(1),
            Format::Html,
            pages.generation(),
            Bytes::from_static(b"new"),
        );
        assert_eq!(
            pages.get(BillId(1), Format::Html).as_deref(),
            Some(&b"new"[..])
        );
    }

    #[test]
    fn nothing_is_kept_or_served_while_imports_cannot_be_heard() {
        let pages = listening(1);
        pages.keep(
            BillId(1),
            Format::Html,
            pages.generation(),
            Bytes::from_static(b"page"),
        );
        pages.listening.store(false, Ordering::Release);
        assert_eq!(pages.get(BillId(1), Format::Html), None);
        pages.keep(
            BillId(2),
            Format::Html,
            pages.generation(),
            Bytes::from_static(b"page"),
        );
        pages.listening.store(true, Ordering::Release);
        assert_eq!(pages.get(BillId(2), Format::Html), None);
    }

    #[test]
    fn a_cache_of_zero_megabytes_keeps_nothing() {
        let pages = listening(0);
        pages.keep(
            BillId(1),
            Format::Html,
            pages.generation(),
            Bytes::from_static(b"page"),
        );
        assert_eq!(pages.get(BillId(1), Format::Html), None);
    }

    #[test]
    fn the_cache_holds_no_more_than_its_size() {
        let pages = listening(1);
        let page = Bytes::from(vec![b'x'; 100 * 1024]);
        for bill in 0..100 {
            pages.keep(BillId(bill), Format::Html, pages.generation(), page.clone());
        }
        let kept = (0..100)
            .filter(|&bill| pages.get(BillId(bill), Format::Html).is_some())
            .count();
        assert!(
            (1..=10).contains(&kept),
            "{kept} pages of 100 KB kept in 1 MB"
        );
    }
}
