//! Body: the bytes after the header, one buffer or many (zero-copy pull responses).

use bytes::{Bytes, BytesMut};

/// A command body. `Parts` lets the broker answer a pull with the stored record slices as they
/// are, counted once in the frame length and written with one vectored write, never concatenated.
#[derive(Debug, Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// One contiguous buffer (what the decoder always produces for a non-empty body).
    One(Bytes),
    /// Several buffers sent back to back.
    Parts(Vec<Bytes>),
}

impl Body {
    /// Total length in bytes over all parts.
    pub fn len(&self) -> usize {
        match self {
            Body::Empty => 0,
            Body::One(b) => b.len(),
            Body::Parts(parts) => parts.iter().map(Bytes::len).sum(),
        }
    }

    /// Whether the body holds no byte at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The buffers in wire order (empty for `Empty`).
    pub fn parts(&self) -> &[Bytes] {
        match self {
            Body::Empty => &[],
            Body::One(b) => std::slice::from_ref(b),
            Body::Parts(parts) => parts,
        }
    }

    /// The body as one buffer: free for `Empty`/`One`, a copy for `Parts` with 2+ non-empty parts.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Body::Empty => Bytes::new(),
            Body::One(b) => b.clone(),
            Body::Parts(parts) => {
                let mut non_empty = parts.iter().filter(|p| !p.is_empty());
                match (non_empty.next(), non_empty.next()) {
                    (None, _) => Bytes::new(),
                    (Some(only), None) => only.clone(),
                    _ => {
                        let mut out = BytesMut::with_capacity(self.len());
                        for p in parts {
                            out.extend_from_slice(p);
                        }
                        out.freeze()
                    }
                }
            }
        }
    }

    /// Iterates the body's bytes across parts.
    fn bytes_iter(&self) -> impl Iterator<Item = u8> + '_ {
        self.parts().iter().flat_map(|p| p.iter().copied())
    }
}

/// Bodies compare by content: `One(b"ab")` equals `Parts([b"a", b"b"])` and `Empty` equals `One(b"")`.
impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        match (self, other) {
            (Body::One(a), Body::One(b)) => a == b,
            _ => self.bytes_iter().eq(other.bytes_iter()),
        }
    }
}

impl Eq for Body {}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        if b.is_empty() {
            Body::Empty
        } else {
            Body::One(b)
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::from(Bytes::from(v))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::from(Bytes::from(s))
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Body::from(Bytes::from_static(s))
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<Vec<Bytes>> for Body {
    fn from(parts: Vec<Bytes>) -> Self {
        Body::Parts(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_compare_by_content() {
        let one = Body::from(Bytes::from_static(b"abc"));
        let parts = Body::Parts(vec![Bytes::from_static(b"a"), Bytes::from_static(b"bc")]);
        assert_eq!(one, parts);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.to_bytes(), Bytes::from_static(b"abc"));
        assert_ne!(one, Body::from(Bytes::from_static(b"abd")));
        assert_eq!(Body::Empty, Body::One(Bytes::new()));
        assert_eq!(Body::Parts(vec![]), Body::Empty);
    }
}
