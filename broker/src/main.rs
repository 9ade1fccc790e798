//! `mqbroker`: placeholder until the broker issue lands.

fn main() {}
