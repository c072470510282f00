"""Everything that speaks the Zalo Bot Platform: the adapter (channel), updates in
(translate), the client (api) and its errors, the outbound port (outbound)."""
