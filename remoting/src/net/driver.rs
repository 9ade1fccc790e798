//! The per-connection driver shared by server and client: a read loop that routes responses to
//! waiting invokes and requests to processors, and a write task that batches outbound frames.

use super::channel::Channel;
use super::connection::{FrameReader, FrameWriter};
use super::processor::{ProcessorTable, RequestContext};
use crate::code::response_code;
use crate::command::RemotingCommand;
use crate::error::RemotingError;
use crate::frame::FrameCodec;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// Bytes batched into one flush before the writer stops taking more from its queue.
const WRITE_BATCH_MAX_BYTES: usize = 1024 * 1024;

/// Per-connection settings.
#[derive(Debug, Clone)]
pub(crate) struct DriverSettings {
    pub(crate) codec: FrameCodec,
    pub(crate) in_flight_max: usize,
    pub(crate) write_queue_max: usize,
    pub(crate) pending_requests_max: usize,
    pub(crate) reply_in_request_serialize_type: bool,
}

/// Splits `stream`, starts the writer, and returns the channel plus the read-loop future.
/// The future ends when the peer closes, a frame is bad, `stop` fires or the channel is closed;
/// it then finishes in-flight requests, flushes, and closes the socket.
pub(crate) fn start(
    stream: TcpStream,
    settings: DriverSettings,
    processors: Arc<ProcessorTable>,
    stop: CancellationToken,
) -> Result<(Channel, impl Future<Output = ()> + Send + 'static), RemotingError> {
    stream.set_nodelay(true)?;
    let peer = stream.peer_addr()?;
    let local = stream.local_addr()?;
    let (rd, wr) = stream.into_split();
    let (tx, rx) = mpsc::channel(settings.write_queue_max.max(1));
    let closed = CancellationToken::new();
    let channel = Channel::new(
        peer,
        local,
        tx,
        settings.pending_requests_max,
        closed.clone(),
    );
    let writer = tokio::spawn(write_loop(FrameWriter::new(wr, settings.codec), rx, closed));
    let reader = FrameReader::new(rd, settings.codec);
    let ch = channel.clone();
    let run = async move {
        read_loop(&ch, reader, &settings, &processors, &stop).await;
        ch.close();
        ch.fail_pending();
        if let Err(e) = writer.await {
            warn!(peer = %ch.peer_addr(), error = %e, "connection writer task failed");
        }
    };
    Ok((channel, run))
}

async fn read_loop(
    channel: &Channel,
    mut reader: FrameReader<tokio::net::tcp::OwnedReadHalf>,
    settings: &DriverSettings,
    processors: &Arc<ProcessorTable>,
    stop: &CancellationToken,
) {
    let peer = channel.peer_addr();
    let in_flight_max = settings.in_flight_max.clamp(1, Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(in_flight_max));
    loop {
        let next = tokio::select! {
            biased;
            () = stop.cancelled() => break,
            () = channel.closed() => break,
            next = reader.read_command() => next,
        };
        let cmd = match next {
            Ok(Some(cmd)) => cmd,
            Ok(None) => break,
            Err(e) => {
                warn!(%peer, error = %e, "closing connection after an undecodable frame");
                break;
            }
        };
        if cmd.is_response() {
            channel.complete(cmd);
            continue;
        }
        // Backpressure: at the in-flight bound, stop reading until a request finishes.
        let permit = tokio::select! {
            biased;
            () = stop.cancelled() => break,
            () = channel.closed() => break,
            permit = Arc::clone(&permits).acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
        let job = handle_request(
            channel.clone(),
            Arc::clone(processors),
            cmd,
            settings.reply_in_request_serialize_type,
        );
        tokio::spawn(async move {
            job.await;
            drop(permit);
        });
    }
    // Graceful end: every in-flight request gets to queue its response before the close.
    let all = u32::try_from(in_flight_max).unwrap_or(u32::MAX);
    let _drained = permits.acquire_many(all).await;
}

async fn handle_request(
    channel: Channel,
    processors: Arc<ProcessorTable>,
    request: RemotingCommand,
    reply_in_request_serialize_type: bool,
) {
    let oneway = request.is_oneway();
    let (opaque, code, serialize_type) = (request.opaque, request.code, request.serialize_type);
    let response = match processors.lookup(code).cloned() {
        None => {
            warn!(peer = %channel.peer_addr(), code, "request code not supported");
            Some(RemotingCommand::not_supported_to(&request))
        }
        Some(processor) => {
            let ctx = RequestContext::new(channel.clone());
            // A separate task so a panicking processor still yields a SYSTEM_ERROR reply.
            let task = tokio::spawn(async move { processor.process(ctx, request).await });
            match task.await {
                Ok(response) => response,
                Err(e) => {
                    warn!(peer = %channel.peer_addr(), code, error = %e, "request processor failed");
                    let remark = format!("processor for request code {code} failed");
                    Some(RemotingCommand::response(
                        response_code::SYSTEM_ERROR,
                        Some(remark),
                    ))
                }
            }
        }
    };
    let Some(mut response) = response else { return };
    if oneway {
        debug!(peer = %channel.peer_addr(), code, "dropping the response to a oneway request");
        return;
    }
    response.opaque = opaque;
    response.mark_response();
    if reply_in_request_serialize_type {
        response.serialize_type = serialize_type;
    }
    if let Err(e) = channel.send(response).await {
        debug!(peer = %channel.peer_addr(), code, error = %e, "response not sent");
    }
}

async fn write_loop(
    mut writer: FrameWriter<OwnedWriteHalf>,
    mut rx: mpsc::Receiver<RemotingCommand>,
    closed: CancellationToken,
) {
    loop {
        let first = tokio::select! {
            biased;
            first = rx.recv() => first,
            () = closed.cancelled() => None,
        };
        let Some(first) = first else { break };
        queue_or_replace(&mut writer, &first);
        while writer.queued_bytes() < WRITE_BATCH_MAX_BYTES {
            match rx.try_recv() {
                Ok(cmd) => queue_or_replace(&mut writer, &cmd),
                Err(_) => break,
            }
        }
        if let Err(e) = writer.flush().await {
            debug!(error = %e, "connection write failed; closing");
            closed.cancel();
            return;
        }
    }
    // Closing: flush what was queued before the close, then send FIN.
    while let Ok(cmd) = rx.try_recv() {
        queue_or_replace(&mut writer, &cmd);
    }
    let _ = writer.flush().await;
    let _ = writer.shutdown().await;
}

/// Queues `cmd`; a response too large to encode is replaced by a SYSTEM_ERROR with its opaque,
/// so the requester learns at once instead of timing out.
fn queue_or_replace(writer: &mut FrameWriter<OwnedWriteHalf>, cmd: &RemotingCommand) {
    let Err(e) = writer.queue(cmd) else { return };
    warn!(code = cmd.code, opaque = cmd.opaque, error = %e, "cannot send frame");
    if cmd.is_response() {
        let mut error = RemotingCommand::response(
            response_code::SYSTEM_ERROR,
            Some(format!("response not sendable: {e}")),
        );
        error.opaque = cmd.opaque;
        if let Err(e) = writer.queue(&error) {
            warn!(error = %e, "cannot send the replacement error response");
        }
    }
}
