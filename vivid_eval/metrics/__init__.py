"""Video try-on metrics: functional cores and torchmetrics-style classes."""
