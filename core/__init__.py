"""Deep Learning Playground's library: pure PyTorch + numpy, never Streamlit."""
