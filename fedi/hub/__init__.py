"""Open streams, served off the request threads: the socket machinery under the streaming API
(fedi/streaming) and the web UI's live timelines (fedi/web/live.py).

A streaming request (WebSocket or Server-Sent Events) is authenticated and answered by a request
thread like any other; then its socket is handed to this process's hub and the thread goes back to
serving requests. So the number of open streams is not bounded by the web server's threads, and
idle streams cost no thread, only a socket and a little memory.

The hub (dispatch.py) has
- one event loop thread owning every stream's socket (peer.py: reads, buffered writes, pings,
  heartbeats; framing.py: the bytes of WebSocket frames or an event-stream body);
- one bus subscription for the whole process, read by a dispatcher thread: each event goes to the
  streams listening on its channel (channels are reference-counted across streams);
- a few worker threads running each stream's work (subscribing, rendering an event for its
  viewer: database queries) in an app context, one job at a time per stream and in order
  (session.py).

The API's streams and the live timelines are both Mastodon's streams (streams.py: names, scopes,
bus channels, one connection's subscriptions), and what of each bus event reaches the viewer is
decided here for both (viewing.py); the faces only render it (JSON payloads, HTML cards).

A session (the API's streams, the web UI's live timeline) implements `session.Session`; it sends
text with `peer.send()` and ends the stream with `peer.close()`, from any thread. The request hands
its connection over by answering with a `handoff.Handoff` (`handoff.serve_websocket` for a
WebSocket upgrade).
"""
