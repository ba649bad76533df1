//! Tests of the ROP layer: proptest round trips of every struct, known answers
//! from the digest's vectors and the gromox 3.10 captures.

mod arb;
mod captures;
mod props;
mod vectors;
