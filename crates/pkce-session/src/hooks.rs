//! Test hooks, compiled only with the `test-hooks` feature: a pause at a named point of the
//! protocol, so a test can kill a process that holds the lock.
//!
//! `PKCE_SESSION_TEST_PAUSE=POINT:MARKER` makes the process create the file `MARKER` on
//! reaching `POINT` (`locked`: lock held, request not sent; `answered`: the server has
//! answered, nothing written yet) and then sleep for a minute.

/// Pauses at `point` when the environment asks for it; a no-op without the feature.
pub(crate) fn pause_at(point: &str) {
    #[cfg(feature = "test-hooks")]
    if let Some(spec) = std::env::var_os("PKCE_SESSION_TEST_PAUSE") {
        let spec = spec.to_string_lossy();
        if let Some((at, marker)) = spec.split_once(':')
            && at == point
        {
            // Best effort: a test that finds no marker fails on its own timeout.
            let _ = std::fs::write(marker, point);
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
    #[cfg(not(feature = "test-hooks"))]
    let _ = point;
}
