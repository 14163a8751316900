"""Chinese text for the words page: jieba segmentation, stop words, vocabulary, embeddings."""
