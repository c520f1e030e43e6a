//! What becomes of a message after an attempt: the retry rules, kept free of I/O so
//! that they can be tested on their own.

use std::time::Duration;

use crate::smtp::Handover;

/// How an attempt ends in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Settlement {
    Sent,
    /// Try again after `delay`. `uncertain` marks that this attempt may have delivered
    /// the message, which uses up the one retry such a message gets.
    Retry {
        delay: Duration,
        error: String,
        uncertain: bool,
    },
    /// Give up; the message waits in the dead letters for an operator.
    Dead {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl RetryPolicy {
    /// Exponential backoff, `base · 2^(attempt-1)` capped at `max`, scaled by `jitter`
    /// (drawn from 0.5..1.5) so that messages failed together do not retry together.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let nominal = self.base.saturating_mul(1u32 << exponent).min(self.max);
        nominal.mul_f64(jitter.clamp(0.5, 1.5))
    }

    /// Settles attempt number `attempt` (from 1) that ended in `handover`. `uncertain`
    /// says whether an earlier attempt already ended in doubt.
    pub fn settle(
        &self,
        handover: Handover,
        attempt: u32,
        uncertain: bool,
        jitter: f64,
    ) -> Settlement {
        let (error, uncertain_now) = match handover {
            Handover::Accepted => return Settlement::Sent,
            Handover::Refused {
                permanent: true,
                reply,
            } => return Settlement::Dead { reason: reply },
            Handover::Refused {
                permanent: false,
                reply,
            } => (reply, false),
            Handover::Broken {
                after_body: true,
                error,
            } if uncertain => {
                return Settlement::Dead {
                    reason: format!(
                        "the connection broke after the message was sent, on two attempts; \
                         not sent again so that it cannot arrive many times ({error})"
                    ),
                };
            }
            Handover::Broken { after_body, error } => (error, after_body),
        };
        if attempt >= self.max_attempts {
            return Settlement::Dead {
                reason: format!("gave up after {attempt} attempts; last: {error}"),
            };
        }
        Settlement::Retry {
            delay: self.delay(attempt, jitter),
            error,
            uncertain: uncertain_now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 5,
        base: Duration::from_secs(30),
        max: Duration::from_secs(600),
    };

    fn broken(after_body: bool) -> Handover {
        Handover::Broken {
            after_body,
            error: "connection reset".into(),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_within_half() {
        assert_eq!(POLICY.delay(1, 1.0), Duration::from_secs(30));
        assert_eq!(POLICY.delay(2, 1.0), Duration::from_secs(60));
        assert_eq!(POLICY.delay(3, 1.0), Duration::from_secs(120));
        assert_eq!(POLICY.delay(10, 1.0), Duration::from_secs(600));
        assert_eq!(POLICY.delay(40, 1.0), Duration::from_secs(600));
        assert_eq!(POLICY.delay(1, 0.5), Duration::from_secs(15));
        assert_eq!(POLICY.delay(1, 9.0), Duration::from_secs(45));
    }

    #[test]
    fn a_5xx_is_dead_at_once_with_the_servers_answer() {
        let settled = POLICY.settle(
            Handover::Refused {
                permanent: true,
                reply: "permanent error (550): no such mailbox".into(),
            },
            1,
            false,
            1.0,
        );
        assert_eq!(
            settled,
            Settlement::Dead {
                reason: "permanent error (550): no such mailbox".into()
            }
        );
    }

    #[test]
    fn a_4xx_retries_until_the_attempts_run_out() {
        let refused = || Handover::Refused {
            permanent: false,
            reply: "transient error (451): try later".into(),
        };
        for attempt in 1..POLICY.max_attempts {
            assert!(matches!(
                POLICY.settle(refused(), attempt, false, 1.0),
                Settlement::Retry {
                    uncertain: false,
                    ..
                }
            ));
        }
        assert!(matches!(
            POLICY.settle(refused(), POLICY.max_attempts, false, 1.0),
            Settlement::Dead { reason } if reason.contains("451")
        ));
    }

    #[test]
    fn a_break_after_the_body_is_retried_once_and_never_again() {
        assert!(matches!(
            POLICY.settle(broken(true), 1, false, 1.0),
            Settlement::Retry {
                uncertain: true,
                ..
            }
        ));
        assert!(matches!(
            POLICY.settle(broken(true), 2, true, 1.0),
            Settlement::Dead { .. }
        ));
        // A break before the body proves nothing went out: ordinary retries go on.
        assert!(matches!(
            POLICY.settle(broken(false), 2, true, 1.0),
            Settlement::Retry { .. }
        ));
    }
}
