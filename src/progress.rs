//! Progress of a cycle run on the terminal: a bar on a terminal, plain lines otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::cycle::RunProgress;

/// How often plain-line progress is printed.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// Shows a run's progress: count, rate and time left.
pub struct RunReporter {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    /// Customers done when we started watching, so the rate is ours.
    first_done: Option<i64>,
    last_line: Option<Instant>,
}

impl RunReporter {
    pub fn new(cycle: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {human_pos}/{human_len} customers  {per_sec}  ETA {eta}",
                )
                .expect("valid progress template")
                .progress_chars("=> "),
            );
            bar.set_prefix(format!("cycle {cycle}"));
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            first_done: None,
            last_line: None,
        }
    }

    pub fn update(&mut self, p: &RunProgress) {
        let first = *self.first_done.get_or_insert(p.done());
        if let Some(bar) = &self.bar {
            bar.set_length(p.total.max(0) as u64);
            bar.set_position(p.done().max(0) as u64);
            return;
        }
        if self.last_line.is_some_and(|t| t.elapsed() < LINE_EVERY) && !p.is_finished() {
            return;
        }
        self.last_line = Some(Instant::now());
        let elapsed = self.started.elapsed().as_secs_f64().max(0.001);
        if p.is_finished() {
            eprintln!(
                "cycle {}: {}/{} customers, {} in {elapsed:.1}s",
                p.cycle,
                p.done(),
                p.total,
                p.status
            );
            return;
        }
        let rate = (p.done() - first) as f64 / elapsed;
        let left = (p.total - p.done()).max(0);
        let eta = if rate > 0.0 {
            format!("{:.0}s", left as f64 / rate)
        } else {
            "?".into()
        };
        let percent = if p.total > 0 {
            p.done() * 100 / p.total
        } else {
            100
        };
        eprintln!(
            "cycle {}: {}/{} customers ({percent}%), {rate:.0}/s, ETA {eta}",
            p.cycle,
            p.done(),
            p.total
        );
    }

    /// A message that does not disturb the bar.
    pub fn note(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
