//! A worker says it is alive by touching a file after each pass or round that reached
//! the database; `certdesk worker --check`, a container's healthcheck, reads how fresh it
//! is. A process that is running but cannot reach its database, or whose loop has
//! stopped turning, goes stale and is reported so.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// Written at most this often, however fast the rounds come.
const EVERY: Duration = Duration::from_secs(5);

/// A heartbeat that cannot be written is said at most this often.
const WARN_EVERY: Duration = Duration::from_secs(3600);

#[derive(Debug)]
pub struct Heartbeat {
    path: PathBuf,
    last: Mutex<Times>,
}

#[derive(Debug, Default)]
struct Times {
    tried: Option<Instant>,
    warned: Option<Instant>,
}

impl Heartbeat {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            last: Mutex::new(Times::default()),
        }
    }

    /// After a pass or a round that reached the database: the file's time is now.
    pub fn beat(&self) {
        let Ok(mut times) = self.last.lock() else {
            return;
        };
        if times.tried.is_some_and(|at| at.elapsed() < EVERY) {
            return;
        }
        times.tried = Some(Instant::now());
        let written = self
            .path
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&self.path, b"alive\n"));
        // Said once an hour, not once a round: the healthcheck says the rest.
        if let Err(error) = written
            && times.warned.is_none_or(|at| at.elapsed() >= WARN_EVERY)
        {
            times.warned = Some(Instant::now());
            tracing::warn!(path = %self.path.display(), %error, "cannot write the worker's heartbeat (said again in an hour if it lasts)");
        }
    }
}

/// Whether the worker whose heartbeat is at `path` turned its loop within `max_age`:
/// how long ago it did, or why it is not taken as alive.
pub fn check(path: &Path, max_age: Duration) -> Result<Duration, String> {
    let modified = std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .map_err(|error| {
            format!(
                "no heartbeat at {} ({error}): the worker has not completed a round",
                path.display()
            )
        })?;
    let age = SystemTime::now()
        .duration_since(modified)
        .unwrap_or(Duration::ZERO);
    if age > max_age {
        return Err(format!(
            "the worker's last round was {} s ago (more than {} s): stalled, stopped, or unable to reach the database",
            age.as_secs(),
            max_age.as_secs()
        ));
    }
    Ok(age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_beat_is_alive_and_an_old_one_or_none_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("worker.alive");
        assert!(
            check(&path, Duration::from_secs(60))
                .unwrap_err()
                .contains("no heartbeat")
        );
        Heartbeat::new(path.clone()).beat();
        assert!(check(&path, Duration::from_secs(60)).is_ok());
        std::thread::sleep(Duration::from_millis(1100));
        assert!(
            check(&path, Duration::from_secs(0))
                .unwrap_err()
                .contains("last round")
        );
    }
}
