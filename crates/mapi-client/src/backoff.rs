//! Jittered exponential backoff for requests the server did not process.

use std::time::Duration;

use crate::config::RetryPolicy;

/// The delay before attempt `attempt + 1` (attempt ≥ 1): `base · 2^(attempt−1)`, capped at
/// `max_delay`, with "equal jitter" (a random point in the upper half), and never below
/// the server's `Retry-After` (itself capped at `max_delay`).
pub(crate) fn backoff_delay(policy: &RetryPolicy, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let exp = attempt.saturating_sub(1).min(20);
    let raw = policy.base_delay.saturating_mul(1u32 << exp).min(policy.max_delay);
    let half = raw / 2;
    let mut r = [0u8; 4];
    let jitter_frac =
        if getrandom::fill(&mut r).is_ok() { f64::from(u32::from_le_bytes(r)) / f64::from(u32::MAX) } else { 0.5 };
    let delay = half + half.mul_f64(jitter_frac);
    match retry_after {
        Some(ra) => delay.max(ra.min(policy.max_delay)),
        None => delay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_is_capped_and_honours_retry_after() {
        let p =
            RetryPolicy { max_attempts: 10, base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(2) };
        for _ in 0..50 {
            let d1 = backoff_delay(&p, 1, None);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d4 = backoff_delay(&p, 4, None);
            assert!(d4 >= Duration::from_millis(400) && d4 <= Duration::from_millis(800));
            assert!(backoff_delay(&p, 30, None) <= Duration::from_secs(2));
            assert!(backoff_delay(&p, 1, Some(Duration::from_secs(1))) >= Duration::from_secs(1));
            assert!(backoff_delay(&p, 1, Some(Duration::from_secs(99))) <= Duration::from_secs(2));
        }
    }
}
