//! RFC 8628 §3.5 polling, without IO: when to ask the token endpoint next
//! and what each answer means. Time is passed in.

use std::time::{Duration, Instant};

use super::{DeviceAuthorization, OAuthError, TokenAnswer, TokenSet};

/// RFC 8628 §3.5: `slow_down` adds 5 seconds to the interval.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// What to do next.
#[derive(Debug)]
pub enum PollStep {
    /// Sleep this long, then poll.
    Wait(Duration),
    /// Signed in.
    Done(TokenSet),
    /// Stop with this error.
    Fail(OAuthError),
}

/// The polling state of one device authorization.
#[derive(Debug)]
pub struct DevicePoll {
    interval: Duration,
    deadline: Instant,
}

impl DevicePoll {
    /// Polling for `device`, issued at `now`.
    pub fn new(device: &DeviceAuthorization, now: Instant) -> Self {
        Self {
            interval: Duration::from_secs(device.interval.max(1)),
            deadline: now + Duration::from_secs(device.expires_in),
        }
    }

    /// The current interval between polls.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How long to wait before the next poll, or the end.
    pub fn next_wait(&self, now: Instant) -> PollStep {
        if now + self.interval > self.deadline {
            return PollStep::Fail(OAuthError::Expired);
        }
        PollStep::Wait(self.interval)
    }

    /// Takes the token endpoint's answer to a poll.
    pub fn on_answer(&mut self, answer: TokenAnswer) -> PollStep {
        match answer {
            TokenAnswer::Tokens(t) => PollStep::Done(t),
            TokenAnswer::Error { error, description } => match error.as_str() {
                "authorization_pending" => PollStep::Wait(self.interval),
                "slow_down" => {
                    self.interval += SLOW_DOWN_STEP;
                    PollStep::Wait(self.interval)
                }
                "expired_token" => PollStep::Fail(OAuthError::Expired),
                "access_denied" | "authorization_declined" => PollStep::Fail(OAuthError::Denied),
                _ => PollStep::Fail(OAuthError::Refused { error, description }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(interval: u64, expires_in: u64) -> DeviceAuthorization {
        serde_json::from_value(serde_json::json!({
            "device_code": "dc", "user_code": "ABCD-EFGH",
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": expires_in, "interval": interval
        }))
        .unwrap()
    }

    fn error(code: &str) -> TokenAnswer {
        TokenAnswer::Error { error: code.into(), description: String::new() }
    }

    #[test]
    fn pending_keeps_the_interval_and_slow_down_adds_five_seconds() {
        let t0 = Instant::now();
        let mut p = DevicePoll::new(&device(5, 900), t0);
        assert!(matches!(p.next_wait(t0), PollStep::Wait(d) if d == Duration::from_secs(5)));
        assert!(matches!(p.on_answer(error("authorization_pending")), PollStep::Wait(d) if d.as_secs() == 5));
        assert!(matches!(p.on_answer(error("slow_down")), PollStep::Wait(d) if d.as_secs() == 10));
        assert!(matches!(p.next_wait(t0), PollStep::Wait(d) if d.as_secs() == 10));
        assert!(matches!(p.on_answer(error("slow_down")), PollStep::Wait(d) if d.as_secs() == 15));
    }

    #[test]
    fn declined_expired_and_lifetime_end_the_poll_with_clear_errors() {
        let t0 = Instant::now();
        let mut p = DevicePoll::new(&device(5, 900), t0);
        match p.on_answer(error("access_denied")) {
            PollStep::Fail(e @ OAuthError::Denied) => assert!(e.to_string().contains("declined"), "{e}"),
            other => panic!("{other:?}"),
        }
        match p.on_answer(error("expired_token")) {
            PollStep::Fail(e @ OAuthError::Expired) => assert!(e.to_string().contains("expired"), "{e}"),
            other => panic!("{other:?}"),
        }
        // The device code's own lifetime ends the poll even without an answer.
        let p = DevicePoll::new(&device(5, 12), t0);
        assert!(matches!(p.next_wait(t0 + Duration::from_secs(10)), PollStep::Fail(OAuthError::Expired)));
    }
}
