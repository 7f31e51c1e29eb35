"""The LINE driver's parts: settings, the webhook, rendering replies, and sending them."""
