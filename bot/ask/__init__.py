"""Questions and answers from the documents (the Q&A feature) and document views."""
