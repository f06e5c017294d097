"""Every write that touches more than one row lives here: one transaction, one audit entry."""
