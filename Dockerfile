# Deep Learning Playground as one container: CPU torch, non-root, health-checked.
#   docker build -t dlp .   &&   docker run -p 8501:8501 -v /path/to/data:/data:ro dlp
# The data (MNIST, Fashion-MNIST, the poem corpus) is mounted at $DLP_DATA; without it every
# page still works and says what is missing. The shipped models are in the image.
FROM python:3.11-slim

# CPU-only torch wheels (the default wheels bring gigabytes of CUDA libraries a CPU host never uses).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DLP_DATA=/data

RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY requirements.txt .
RUN pip install --index-url "$TORCH_INDEX_URL" $(grep -E '^torch==' requirements.txt) \
 && pip install -r requirements.txt
COPY --chown=app:app . .

USER app
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", \
     "--server.headless=true", "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]
