"""The outbox: messages written in the use case's transaction (store), delivered later by
the dispatcher, tried again on the retry policy. What a message says and how it leaves
(rendering, SendGrid, Twilio) is messaging's; the table is persistence's."""
