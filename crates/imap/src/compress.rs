//! COMPRESS=DEFLATE (RFC 4978): a raw deflate stream (RFC 1951) each way
//! over the connection, flushed with a sync flush whenever the server
//! flushes its output so that every response reaches the client at once.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Size of the compressed-side buffers.
const BUF: usize = 8 * 1024;

/// A connection with RFC 4978 compression on top of `S`.
pub(crate) struct Deflate<S> {
    inner: S,
    inflate: Decompress,
    deflate: Compress,
    /// Compressed bytes read from `inner` and not yet inflated.
    input: Vec<u8>,
    input_pos: usize,
    /// Compressed bytes to write to `inner`.
    output: Vec<u8>,
    output_pos: usize,
    /// Whether data went into the compressor since the last sync flush.
    dirty: bool,
    eof: bool,
}

impl<S> Deflate<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            inflate: Decompress::new(false),
            deflate: Compress::new(Compression::default(), false),
            input: Vec::new(),
            input_pos: 0,
            output: Vec::new(),
            output_pos: 0,
            dirty: false,
            eof: false,
        }
    }
}

fn corrupt(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("bad deflate stream: {e}"))
}

impl<S: AsyncRead + Unpin> AsyncRead for Deflate<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.input_pos < this.input.len() {
                let before_in = this.inflate.total_in();
                let before_out = this.inflate.total_out();
                let dst = buf.initialize_unfilled();
                let status = this
                    .inflate
                    .decompress(&this.input[this.input_pos..], dst, FlushDecompress::None)
                    .map_err(corrupt)?;
                let consumed = usize::try_from(this.inflate.total_in() - before_in).unwrap_or(0);
                let produced = usize::try_from(this.inflate.total_out() - before_out).unwrap_or(0);
                this.input_pos += consumed;
                buf.advance(produced);
                if produced > 0 {
                    return Poll::Ready(Ok(()));
                }
                if status == Status::StreamEnd {
                    return Poll::Ready(Ok(()));
                }
                if consumed > 0 {
                    continue;
                }
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            // Need more compressed input; keep what the inflater has not
            // taken yet (a block cut in the middle).
            this.input.drain(..this.input_pos);
            this.input_pos = 0;
            let kept = this.input.len();
            this.input.resize(kept + BUF, 0);
            let mut rb = ReadBuf::new(&mut this.input[kept..]);
            let polled = Pin::new(&mut this.inner).poll_read(cx, &mut rb);
            let n = rb.filled().len();
            this.input.truncate(kept + n);
            ready!(polled)?;
            if n == 0 {
                this.eof = true;
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> Deflate<S> {
    /// Writes pending compressed bytes to `inner`.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.output_pos < self.output.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.output[self.output_pos..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.output_pos += n;
        }
        self.output.clear();
        self.output_pos = 0;
        Poll::Ready(Ok(()))
    }

    /// Runs the compressor over `data` (empty with a sync flush: emit the
    /// rest); returns how much of `data` it took.
    fn compress(&mut self, data: &[u8], flush: FlushCompress) -> io::Result<usize> {
        let mut taken = 0;
        loop {
            if self.output.capacity() - self.output.len() < 1024 {
                self.output.reserve(BUF);
            }
            let before_in = self.deflate.total_in();
            let before_out = self.deflate.total_out();
            self.deflate.compress_vec(&data[taken..], &mut self.output, flush).map_err(corrupt)?;
            taken += usize::try_from(self.deflate.total_in() - before_in).unwrap_or(0);
            let produced = self.deflate.total_out() - before_out;
            // Finished when the input is used up and the compressor stopped
            // for want of input, not of room.
            if taken == data.len() && (self.output.len() < self.output.capacity() || produced == 0) {
                return Ok(taken);
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Deflate<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.output.len() - this.output_pos >= BUF {
            ready!(this.poll_drain(cx))?;
        }
        let n = this.compress(data, FlushCompress::None)?;
        this.dirty |= n > 0;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.dirty {
            this.compress(&[], FlushCompress::Sync)?;
            this.dirty = false;
        }
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flush(cx))?;
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn round_trips_with_a_flush_per_response() {
        let (a, b) = tokio::io::duplex(1024);
        let mut a = Deflate::new(a);
        let mut b = Deflate::new(b);
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let writer = {
            let big = big.clone();
            tokio::spawn(async move {
                a.write_all(b"* OK hello\r\n").await.unwrap();
                a.flush().await.unwrap();
                a.write_all(&big).await.unwrap();
                a.flush().await.unwrap();
                a
            })
        };
        let mut got = vec![0; 12];
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(got, b"* OK hello\r\n");
        let mut got = vec![0; big.len()];
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(got, big);
        writer.await.unwrap();
    }
}
