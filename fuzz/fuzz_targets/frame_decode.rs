//! Frame + command decoder: `check` then `parse` over arbitrary bytes, as a connection would.
//!
//! Invariants: nothing panics; an incomplete buffer is `Ok(None)` and left untouched; a whole
//! frame's every shorter prefix is incomplete; a parsed command re-encodes to exactly
//! `encoded_size()` bytes that parse back to an equal command.

#![no_main]

use bytes::BytesMut;
use ferromq_remoting::FrameCodec;
use libfuzzer_sys::fuzz_target;

/// Small bound so the fuzzer reaches the over-long path often.
const FRAME_LEN_MAX_BYTES: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let codec = FrameCodec::new(FRAME_LEN_MAX_BYTES);
    // Escaping can grow a re-encoded JSON header, so re-parse without the small bound.
    let unbounded = FrameCodec::new(usize::MAX);
    let mut buf = BytesMut::from(data);
    loop {
        let before = buf.clone();
        match codec.check(&buf) {
            Ok(None) => {
                assert!(matches!(codec.decode(&mut buf), Ok(None)));
                assert_eq!(buf, before, "an incomplete frame must leave the buffer untouched");
                return;
            }
            Err(_) => {
                assert!(codec.decode(&mut buf).is_err());
                return;
            }
            Ok(Some(n)) => {
                assert!(n >= 8 && n <= buf.len());
                let frame = buf.split_to(n).freeze();
                let shorter = frame.slice(..n - 1);
                assert!(matches!(codec.check(&shorter), Ok(None)), "prefix of a frame is incomplete");
                let Ok(cmd) = codec.parse(frame) else { continue };
                let mut out = BytesMut::new();
                cmd.encode(&mut out).expect("a decoded command re-encodes");
                assert_eq!(out.len(), cmd.encoded_size());
                let again = unbounded.parse(out.freeze()).expect("a re-encoded frame parses");
                assert_eq!(again, cmd, "decode -> encode -> decode is the identity");
            }
        }
    }
});
