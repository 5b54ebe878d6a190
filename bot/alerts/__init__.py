"""Phase alerts: rules from data, evaluated on the spend ledger, posted to subscribed channels exactly once."""
