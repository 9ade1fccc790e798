//! Connection: one TCP stream as a reader of commands and a (vectored) writer of commands.
//!
//! The read side keeps a `BytesMut`; decoded bodies are zero-copy slices of it. The write side
//! copies small bodies next to their header and hands large body parts to `writev` as they are.

use crate::command::RemotingCommand;
use crate::error::RemotingError;
use crate::frame::FrameCodec;
use bytes::{Bytes, BytesMut};
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpStream, ToSocketAddrs};

/// Bytes reserved per read when the buffer runs low.
const READ_CHUNK_BYTES: usize = 64 * 1024;
/// Body parts up to this size are copied next to the header instead of getting their own iovec.
const BODY_COPY_MAX_BYTES: usize = 4 * 1024;
/// Most buffers handed to one `writev` (Linux IOV_MAX is 1024).
const IOVECS_PER_WRITE_MAX: usize = 1024;

/// Reads whole frames from `R` and decodes them.
#[derive(Debug)]
pub struct FrameReader<R> {
    io: R,
    buf: BytesMut,
    codec: FrameCodec,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader that rejects frames over `codec`'s bound.
    pub fn new(io: R, codec: FrameCodec) -> Self {
        Self {
            io,
            buf: BytesMut::new(),
            codec,
        }
    }

    /// Next command; `Ok(None)` on a clean end of stream between frames. Cancel-safe: bytes
    /// already read stay buffered.
    pub async fn read_command(&mut self) -> Result<Option<RemotingCommand>, RemotingError> {
        loop {
            if let Some(cmd) = self.codec.decode(&mut self.buf)? {
                return Ok(Some(cmd));
            }
            if self.buf.capacity() - self.buf.len() < BODY_COPY_MAX_BYTES {
                self.buf.reserve(READ_CHUNK_BYTES);
            }
            if self.io.read_buf(&mut self.buf).await? == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "stream ended inside a frame ({} bytes buffered)",
                        self.buf.len()
                    ),
                )
                .into());
            }
        }
    }
}

/// Queues encoded commands and writes them with vectored writes.
#[derive(Debug)]
pub struct FrameWriter<W> {
    io: W,
    head: BytesMut,
    segments: Vec<Bytes>,
    frame_len_max: usize,
}

impl<W: AsyncWrite + Unpin> FrameWriter<W> {
    /// A writer that refuses to send frames over `codec`'s bound (the peer would drop them).
    pub fn new(io: W, codec: FrameCodec) -> Self {
        Self {
            io,
            head: BytesMut::new(),
            segments: Vec::new(),
            frame_len_max: codec.frame_len_max(),
        }
    }

    /// Encodes `cmd` into the queue without writing; nothing is queued on error.
    pub fn queue(&mut self, cmd: &RemotingCommand) -> Result<(), RemotingError> {
        let size = cmd.encoded_size();
        if size > self.frame_len_max {
            return Err(RemotingError::FrameTooLong {
                frame_bytes: size as u64,
                max_bytes: self.frame_len_max,
            });
        }
        cmd.encode_head(&mut self.head)?;
        for part in cmd.body.parts() {
            if part.len() <= BODY_COPY_MAX_BYTES {
                self.head.extend_from_slice(part);
            } else {
                if !self.head.is_empty() {
                    self.segments.push(self.head.split().freeze());
                }
                self.segments.push(part.clone());
            }
        }
        Ok(())
    }

    /// Bytes queued and not yet written.
    pub fn queued_bytes(&self) -> usize {
        self.head.len() + self.segments.iter().map(Bytes::len).sum::<usize>()
    }

    /// Writes everything queued.
    pub async fn flush(&mut self) -> Result<(), RemotingError> {
        if !self.head.is_empty() {
            self.segments.push(self.head.split().freeze());
        }
        let result = write_all_vectored(&mut self.io, &self.segments).await;
        self.segments.clear();
        result?;
        self.io.flush().await?;
        Ok(())
    }

    /// `queue` + `flush`.
    pub async fn write_command(&mut self, cmd: &RemotingCommand) -> Result<(), RemotingError> {
        self.queue(cmd)?;
        self.flush().await
    }

    /// Shuts down the write direction (FIN).
    pub async fn shutdown(&mut self) -> Result<(), RemotingError> {
        Ok(self.io.shutdown().await?)
    }
}

/// Writes all of `segments`, resuming after short writes.
async fn write_all_vectored<W: AsyncWrite + Unpin>(
    io: &mut W,
    segments: &[Bytes],
) -> io::Result<()> {
    let mut index = 0;
    let mut offset = 0;
    while let Some(first) = segments.get(index) {
        let mut slices = Vec::with_capacity((segments.len() - index).min(IOVECS_PER_WRITE_MAX));
        slices.push(IoSlice::new(first.get(offset..).unwrap_or_default()));
        for seg in segments
            .iter()
            .skip(index + 1)
            .take(IOVECS_PER_WRITE_MAX - 1)
        {
            slices.push(IoSlice::new(seg));
        }
        let mut written = io.write_vectored(&slices).await?;
        if written == 0 && slices.iter().any(|s| !s.is_empty()) {
            return Err(io::ErrorKind::WriteZero.into());
        }
        // Advance (index, offset) by `written` bytes, skipping empty segments too.
        while let Some(seg) = segments.get(index) {
            let left = seg.len() - offset;
            if written < left {
                offset += written;
                break;
            }
            written -= left;
            index += 1;
            offset = 0;
        }
    }
    Ok(())
}

/// A TCP connection speaking remoting frames.
#[derive(Debug)]
pub struct Connection {
    reader: FrameReader<OwnedReadHalf>,
    writer: FrameWriter<OwnedWriteHalf>,
    peer: SocketAddr,
}

impl Connection {
    /// Wraps an accepted or connected stream; sets TCP_NODELAY.
    pub fn new(stream: TcpStream, codec: FrameCodec) -> Result<Self, RemotingError> {
        stream.set_nodelay(true)?;
        let peer = stream.peer_addr()?;
        let (rd, wr) = stream.into_split();
        Ok(Self {
            reader: FrameReader::new(rd, codec),
            writer: FrameWriter::new(wr, codec),
            peer,
        })
    }

    /// Dials `addr`.
    pub async fn connect(
        addr: impl ToSocketAddrs,
        codec: FrameCodec,
    ) -> Result<Self, RemotingError> {
        Self::new(TcpStream::connect(addr).await?, codec)
    }

    /// Remote address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// Next command, `Ok(None)` at a clean end of stream.
    pub async fn read_command(&mut self) -> Result<Option<RemotingCommand>, RemotingError> {
        self.reader.read_command().await
    }

    /// Writes one command (multi-part bodies with one vectored write, no concatenation).
    pub async fn write_command(&mut self, cmd: &RemotingCommand) -> Result<(), RemotingError> {
        self.writer.write_command(cmd).await
    }

    /// The two halves, to read and write from different tasks.
    pub fn into_split(self) -> (FrameReader<OwnedReadHalf>, FrameWriter<OwnedWriteHalf>) {
        (self.reader, self.writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Body;

    #[tokio::test]
    async fn vectored_write_of_many_parts_decodes_as_one_body() {
        let (a, b) = tokio::io::duplex(1024);
        let codec = FrameCodec::default();
        let mut writer = FrameWriter::new(a, codec);
        let mut reader = FrameReader::new(b, codec);
        let big = Bytes::from(vec![7u8; 10_000]);
        let parts = vec![Bytes::from_static(b"head"), big.clone(), Bytes::new(), big];
        let cmd = RemotingCommand::response(0, None).with_body(Body::Parts(parts.clone()));
        let expected_len = cmd.body.len();
        let send = tokio::spawn(async move { writer.write_command(&cmd).await.map(|()| cmd) });
        let got = reader
            .read_command()
            .await
            .expect("reads")
            .expect("a frame");
        let sent = send.await.expect("joins").expect("writes");
        assert_eq!(got.body.len(), expected_len);
        assert_eq!(got, sent);
    }

    #[tokio::test]
    async fn writer_refuses_frames_over_the_bound() {
        let (a, _b) = tokio::io::duplex(64);
        let mut writer = FrameWriter::new(a, FrameCodec::new(200));
        let cmd = RemotingCommand::response(0, None).with_body(vec![0u8; 200]);
        assert!(matches!(
            writer.queue(&cmd),
            Err(RemotingError::FrameTooLong { .. })
        ));
        assert_eq!(writer.queued_bytes(), 0);
    }

    #[tokio::test]
    async fn eof_inside_a_frame_is_an_error_and_between_frames_is_none() {
        let (mut a, b) = tokio::io::duplex(64);
        let mut reader = FrameReader::new(b, FrameCodec::default());
        a.write_all(&[0, 0, 0, 20, 0]).await.expect("writes");
        drop(a);
        assert!(reader.read_command().await.is_err());
        let (a, b) = tokio::io::duplex(64);
        drop(a);
        assert!(
            FrameReader::new(b, FrameCodec::default())
                .read_command()
                .await
                .expect("ok")
                .is_none()
        );
    }
}
