//! Known answers from the digest's test vectors (§9) and hand-built layouts.
