"""Grouping windows of speech by voice: spectral clustering of their cosine affinities.

Why a module of its own: how many voices there are, and which windows belong to each, is one
question with its own tuning (bench/bench_diarization.py moves each threshold); the diarizer
only needs the groups' mean voices. The count is taken from the largest eigengap of the
pruned affinity's Laplacian, then checked: two groups whose voices are as alike as one
person's windows are one speaker.
"""

from __future__ import annotations

import numpy as np

MAX_SPEAKERS = 8
SAME_VOICE = 0.92
"""Cosine between two groups' mean voices above which they are one speaker. One voice split
in two lay at 0.93-0.96 (sample-session voices alone); two women on one phone line at 0.88,
other real pairs below 0.84 (bench/bench_diarization.py reports the sensitivity)."""
MIN_GROUP = 3
"""Fewest full windows (about 3 s of speech in all) for a voice to count as a speaker of its own
when the count is estimated."""


_CLUSTER_LIMIT = 600
"""At most this many windows are clustered (evenly spread; ~12 minutes of speech): the voices'
means are all that the word assignment needs, and the eigen-decompositions stay cheap."""


def _subset(n: int) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(n, _CLUSTER_LIMIT)).round().astype(int))


def _pruned_affinity(embeddings: np.ndarray, keep: int) -> np.ndarray:
    """Cosine affinity keeping each window's ``keep`` nearest neighbours, made symmetric."""
    a = (embeddings @ embeddings.T).astype(np.float64)
    n = len(a)
    keep = min(max(keep, 2), n)
    threshold = np.partition(a, n - keep, axis=1)[:, n - keep][:, None]
    a = np.where(a >= threshold, a, 0.0)
    return np.clip((a + a.T) / 2, 0.0, None)


def _normalised(a: np.ndarray) -> np.ndarray:
    inv = 1.0 / np.sqrt(a.sum(1) + 1e-9)
    return a * inv[:, None] * inv[None, :]


_PRUNING = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
MIN_NEIGHBOURS = 10
"""Each window keeps at least this many neighbours (~7 s of speech) in the pruned graph:
fewer cut one voice into several small pieces that look apart (measured: three espeak
women came out as five with 5 neighbours kept)."""


def _eigengap_choice(embeddings: np.ndarray) -> tuple[int, np.ndarray]:
    """(count, pruned affinity): auto-tuned as in NME-SC (Park et al., 2019).

    For each pruning level, the count is where the normalised Laplacian's eigenvalues jump
    most (among the first MAX_SPEAKERS + 1); the level kept is the one whose jump is largest
    for the fewest neighbours kept, i.e. whose groups are most clearly apart.
    """
    n = len(embeddings)
    best: tuple[float, int, np.ndarray] | None = None
    tried = set()
    for share in _PRUNING:
        keep = min(n, max(int(round(share * n)), MIN_NEIGHBOURS))
        if keep in tried:
            continue
        tried.add(keep)
        a = _pruned_affinity(embeddings, keep)
        values = 1.0 - np.linalg.eigvalsh(_normalised(a))[::-1]  # Laplacian's, ascending
        top = values[: min(MAX_SPEAKERS, n - 1) + 1]
        gaps = np.diff(top)
        k = int(np.argmax(gaps)) + 1
        ratio = (keep / n) / max(float(gaps.max()), 1e-9)
        if best is None or ratio < best[0]:
            best = (ratio, k, a)
    assert best is not None
    return best[1], best[2]


def _spectral_labels(a: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    if k <= 1:
        return np.zeros(len(a), int)
    u = _top_eigenvectors(_normalised(a), k)
    vectors = u / (np.linalg.norm(u, axis=1, keepdims=True) + 1e-9)
    return _kmeans(vectors, k, weights)


def estimate_groups(embeddings: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Labels of the windows with the count estimated (1..MAX_SPEAKERS).

    The eigengap proposes a count; it is lowered while some group has fewer than MIN_GROUP
    windows (too little speech to tell a voice from a moment of one: a short recording of
    one person otherwise falls apart), and groups as alike as one voice are joined.
    """
    if len(embeddings) < 2 * MIN_GROUP:
        return np.zeros(len(embeddings), int)
    chosen = _subset(len(embeddings))
    k, a = _eigengap_choice(embeddings[chosen])
    labels = np.zeros(len(chosen), int)
    while k >= 2:
        labels = _spectral_labels(a, weights[chosen], k)
        if np.bincount(labels, minlength=k).min() >= MIN_GROUP:
            break
        k -= 1
    if k < 2:
        return np.zeros(len(embeddings), int)
    labels = _merge_alike(embeddings[chosen], labels)
    return _nearest(embeddings, group_centroids(embeddings[chosen], labels, int(labels.max()) + 1))


def cluster_k(embeddings: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    if k <= 1:
        return np.zeros(len(embeddings), int)
    chosen = _subset(len(embeddings))
    a = _pruned_affinity(embeddings[chosen], int(round(0.2 * len(chosen))))
    labels = _spectral_labels(a, weights[chosen], k)
    found = int(labels.max()) + 1
    return _nearest(embeddings, group_centroids(embeddings[chosen], labels, found))


def group_centroids(embeddings: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((k, embeddings.shape[1]), dtype=np.float64)
    for j in range(k):
        member = labels == j
        if member.any():
            out[j] = embeddings[member].mean(0)
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norm > 0, norm, 1.0)).astype(np.float32)


def _nearest(embeddings: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    labels = np.argmax(embeddings @ centroids.T, axis=1)
    _, labels = np.unique(labels, return_inverse=True)  # no empty groups
    return labels.astype(int)


def _merge_alike(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Join the two groups whose mean voices are most alike while they are one voice (SAME_VOICE)."""
    labels = labels.copy()
    while True:
        present = np.unique(labels)
        if len(present) < 2:
            return np.zeros_like(labels)
        _, labels = np.unique(labels, return_inverse=True)
        c = group_centroids(embeddings, labels, len(present))
        sims = c @ c.T
        np.fill_diagonal(sims, -np.inf)
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[i, j] <= SAME_VOICE:
            return labels
        labels[labels == max(i, j)] = min(i, j)


_DENSE_EIGEN_LIMIT = 400
"""Above this many stretches (~10 minutes of speech), a full eigendecomposition (cubic in
the count: 1.6-2.6 s for an hour's 2,000 stretches, twice) costs more than the rest of
the clustering; the Krylov method takes 0.15 s and agrees to 1e-13."""


def _top_eigenvectors(m: np.ndarray, k: int, block: int = 8, tolerance: float = 1e-10) -> np.ndarray:
    """The ``k`` eigenvectors of symmetric ``m`` with the largest eigenvalues, largest first.

    Large matrices: block Krylov (Lanczos) with full reorthogonalisation, which finds
    repeated eigenvalues too (a graph of separate components has one per component), and
    stops once every wanted vector's residual is below ``tolerance``; eigenvectors' signs
    are arbitrary, as LAPACK's are. Falls back to the full decomposition if it stalls.
    """
    n = len(m)
    if n <= _DENSE_EIGEN_LIMIT or k > block:
        return np.linalg.eigh(m)[1][:, ::-1][:, :k]
    start = np.random.default_rng(0).standard_normal((n, block))
    basis = [np.linalg.qr(start)[0]]
    images: list[np.ndarray] = []  # m @ each block of the basis
    scale = max(float(np.abs(m).sum(1).max()), 1e-300)  # bounds the largest |eigenvalue|
    while block * len(basis) <= n // 2:
        images.append(m @ basis[-1])
        q = np.concatenate(basis, axis=1)
        if len(basis) % 4 == 0 or block * (len(basis) + 1) > n // 2:
            mq = np.concatenate(images, axis=1)
            h = q.T @ mq
            values, vectors = np.linalg.eigh((h + h.T) / 2)
            top = vectors[:, ::-1][:, :k]
            ritz = q @ top
            residual = mq @ top - ritz * values[::-1][:k]
            if np.all(np.linalg.norm(residual, axis=0) <= tolerance * scale):
                return ritz
        nxt = images[-1]
        for _ in range(2):  # twice is enough (Kahan-Parlett)
            nxt = nxt - q @ (q.T @ nxt)
        nxt, r = np.linalg.qr(nxt)
        if np.abs(np.diag(r)).min() <= 1e-10 * scale:
            break  # the Krylov space is exhausted: leave it to LAPACK
        basis.append(nxt)
    return np.linalg.eigh(m)[1][:, ::-1][:, :k]


def _kmeans(x: np.ndarray, k: int, weights: np.ndarray, restarts: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    best_labels, best_cost = np.zeros(len(x), int), np.inf
    for _ in range(restarts):
        centres = x[_kmeans_pp(x, k, rng)]
        labels = np.full(len(x), -1)
        for _ in range(50):
            dist = ((x[:, None, :] - centres[None]) ** 2).sum(-1)
            new = dist.argmin(1)
            if np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                member = labels == j
                if member.any():
                    centres[j] = np.average(x[member], axis=0, weights=weights[member])
        cost = float((weights * ((x - centres[labels]) ** 2).sum(-1)).sum())
        if cost < best_cost:
            best_labels, best_cost = labels, cost
    return best_labels


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> list[int]:
    chosen = [int(rng.integers(len(x)))]
    for _ in range(1, k):
        d = np.min(((x[:, None, :] - x[chosen][None]) ** 2).sum(-1), axis=1)
        total = d.sum()
        chosen.append(int(rng.choice(len(x), p=d / total)) if total > 0 else int(rng.integers(len(x))))
    return chosen
