"""Domain events: what changed, published for whoever listens (the streaming hub and the web
UI's live timelines). Services publish through `channels`; `bus` carries the events in memory
or over Redis."""
