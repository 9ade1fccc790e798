//! `mqnamesrv`: placeholder until the name server issue lands.

fn main() {}
