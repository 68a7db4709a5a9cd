"""The queue itself: configuration, rules, storage and operations. No Flask, no Socket.IO, no printer."""
