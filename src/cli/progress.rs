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
    first_done: i64,
    last_line: Option<Instant>,
}

impl RunReporter {
    /// Follows the run of `cycle`, of which `done` customers were dealt with already.
    pub fn new(cycle: &str, done: i64) -> Self {
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
            first_done: done,
            last_line: None,
        }
    }

    pub fn update(&mut self, p: &RunProgress) {
        let first = self.first_done;
        if let Some(bar) = &self.bar {
            bar.set_length(p.total.max(0) as u64);
            bar.set_position(p.done().max(0) as u64);
            return;
        }
        // The run's end is for `finish` to say, with its time and rate.
        if p.is_finished()
            || p.done() >= p.total
            || self.last_line.is_some_and(|t| t.elapsed() < LINE_EVERY)
        {
            return;
        }
        self.last_line = Some(Instant::now());
        let elapsed = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = (p.done() - first) as f64 / elapsed;
        let left = (p.total - p.done()).max(0);
        // Until a second reading, there is no rate to tell.
        let pace = if rate > 0.0 {
            format!(", {rate:.0}/s, ETA {:.0}s", left as f64 / rate)
        } else {
            String::new()
        };
        let percent = if p.total > 0 {
            p.done() * 100 / p.total
        } else {
            100
        };
        eprintln!(
            "cycle {}: {}/{} customers ({percent}%){pace}",
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

    /// Ends the bar (or the lines) with the run's outcome, time taken and rate.
    pub fn finish(self, p: &RunProgress) {
        let first = self.first_done;
        let line = finished_line(p, first, self.started.elapsed().as_secs_f64().max(0.001));
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        eprintln!("{line}");
    }
}

/// `cycle 2026-11: 8/8 customers, completed in 0.4s (20/s)`: the rate counts the customers
/// this process saw done, from `first`.
fn finished_line(p: &RunProgress, first: i64, elapsed: f64) -> String {
    let rate = (p.done() - first).max(0) as f64 / elapsed;
    format!(
        "cycle {}: {}/{} customers, {} in {elapsed:.1}s ({rate:.0}/s)",
        p.cycle,
        p.done(),
        p.total,
        p.status
    )
}
