"""WebDataset shards: splits, writing with resume, the dataset.json index, verification, export."""
