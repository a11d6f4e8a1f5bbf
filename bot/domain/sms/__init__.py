"""The SMS channel's rules, with no Twilio in them: keywords, numbered choices, message sizes
and the replies the channel gives without a turn of the assistant."""
