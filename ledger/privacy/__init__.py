"""Personal data (docs/privacy.md): encryption at rest of event bodies, salts and request
bodies under a data key per tenant and data subject; erasure; legal holds; retention; the
export of one subject's data."""
