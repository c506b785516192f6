"""Grouping candidate lines into duplicate groups by sorting, never by comparing all pairs.

Every duplicate test reduces to: give each line a block label (lines that may duplicate each other
share it), keep one line per distinct member key inside a block (e.g. one line per invoice spelling),
optionally cut a block where the posting dates jump by more than a window, and keep the blocks that
still hold two or more lines. The vendor-name test first has to *build* its blocks by linking
similar names, which ``link_name_variants`` does with a sorted neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from fintrace_pipeline.analytics.duplicates.normalize import edit_distances_between


@dataclass(frozen=True)
class Groups:
    """Members of the duplicate groups of one test, ordered by group and then by (date, row).

    ``member`` indexes the candidate arrays; ``group`` runs 0..n_groups-1 in order of each group's
    earliest member; ``first`` marks that earliest (kept) member; ``twin`` is the candidate index of
    the earlier line a member is reported against (the group's first, or the previous member).
    """

    member: np.ndarray
    group: np.ndarray
    first: np.ndarray
    twin: np.ndarray

    @property
    def n_groups(self) -> int:
        return int(self.group.max()) + 1 if len(self.group) else 0

    @classmethod
    def empty(cls) -> Groups:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, np.zeros(0, dtype=bool), none)


def block_labels(*keys: np.ndarray) -> np.ndarray:
    """One int label per distinct combination of the integer ``keys``; -1 where any key is -1 (missing)."""
    if not keys or len(keys[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({f"k{i}": key for i, key in enumerate(keys)})
    labels = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(dtype=np.int64, copy=True)
    missing = np.zeros(len(labels), dtype=bool)
    for key in keys:
        missing |= key < 0
    labels[missing] = -1
    return labels


def group_members(
    order_rank: np.ndarray,
    block: np.ndarray,
    member_key: np.ndarray | None = None,
    day: np.ndarray | None = None,
    max_gap_days: int | None = None,
    twin: str = "first",
    entry: np.ndarray | None = None,
) -> Groups:
    """Duplicate groups from block labels.

    ``order_rank`` ranks the candidates by (posting date, row number); ``block`` is -1 for lines that
    take no part. With ``member_key`` only the earliest line of each key in a block stays a member
    (a key of -1 counts as distinct from every other line); with ``entry`` likewise only the earliest
    unit of each journal entry, so one entry never duplicates itself. With ``day``/``max_gap_days`` a
    block is cut wherever consecutive members are more than ``max_gap_days`` apart, so a group is a
    chain of lines each within the window of the previous one. ``twin`` is "first" or "previous".
    """
    index = np.flatnonzero(block >= 0)
    if len(index) == 0:
        return Groups.empty()
    index = index[np.lexsort((order_rank[index], block[index]))]
    if member_key is not None:
        keys = member_key[index]
        # Missing keys get a unique negative value so they never collapse into one member.
        keys = np.where(keys < 0, -1 - np.arange(len(keys)), keys)
        repeated = pd.DataFrame({"block": block[index], "key": keys}).duplicated().to_numpy()
        index = index[~repeated]
    if entry is not None:
        repeated = pd.DataFrame({"block": block[index], "entry": entry[index]}).duplicated().to_numpy()
        index = index[~repeated]
    blocks = block[index]
    starts = np.r_[True, blocks[1:] != blocks[:-1]]
    if day is not None and max_gap_days is not None:
        days = day[index]
        starts |= np.r_[True, (days[1:] - days[:-1]) > max_gap_days]
    run = np.cumsum(starts) - 1
    sizes = np.bincount(run)
    kept = sizes[run] >= 2
    index, starts, run = index[kept], starts[kept], run[kept]
    if len(index) == 0:
        return Groups.empty()
    # Renumber the surviving runs 0..n-1 in order of their earliest member.
    _, dense = np.unique(run, return_inverse=True)
    first_members = index[starts]
    group = np.argsort(np.argsort(order_rank[first_members], kind="stable"), kind="stable")[dense]
    positions = np.arange(len(index))
    if twin == "previous":
        twin_of = index[np.maximum(positions - 1, 0)]
    else:
        twin_of = index[np.maximum.accumulate(np.where(starts, positions, 0))]
    twin_of = np.where(starts, index, twin_of)
    order = np.lexsort((order_rank[index], group))
    return Groups(index[order], group[order], starts[order], twin_of[order])


def link_name_variants(
    block: np.ndarray,
    vendor_raw: np.ndarray,
    vendor_norm: np.ndarray,
    norm_names: np.ndarray,
    max_distance: int,
    min_length: int,
    window: int,
) -> np.ndarray:
    """Blocks of lines whose vendor names are variants of each other within an invoice+amount block.

    Inside each ``block`` the distinct raw names are sorted by their normalised form (``vendor_norm``
    codes are assigned in sorted order of ``norm_names``) and each is compared with the next
    ``window`` names only: equal normalised forms link, and so do forms of at least ``min_length``
    characters within ``max_distance`` edits. Linked names form components; returns a component label
    per line, -1 where the line's name links to no other name.
    """
    labels = np.full(len(block), -1, dtype=np.int64)
    usable = (block >= 0) & (vendor_raw >= 0)
    if not usable.any():
        return labels
    names = pd.DataFrame({"block": block[usable], "raw": vendor_raw[usable], "norm": vendor_norm[usable]})
    names = names.drop_duplicates(["block", "raw"])
    per_block = names.groupby("block")["raw"].transform("size")
    names = names[per_block.to_numpy() >= 2].sort_values(["block", "norm", "raw"], ignore_index=True)
    if names.empty:
        return labels
    node_block = names["block"].to_numpy()
    node_norm = names["norm"].to_numpy()
    left_parts, right_parts = [], []
    for offset in range(1, window + 1):
        left = np.arange(len(names) - offset)
        same_block = node_block[left] == node_block[left + offset]
        if not same_block.any():
            break
        left_parts.append(left[same_block])
        right_parts.append(left[same_block] + offset)
    left = np.concatenate(left_parts) if left_parts else np.zeros(0, dtype=np.int64)
    right = np.concatenate(right_parts) if right_parts else np.zeros(0, dtype=np.int64)
    similar = node_norm[left] == node_norm[right]
    similar[~similar] = _close_names(
        node_norm[left[~similar]], node_norm[right[~similar]], norm_names, max_distance, min_length
    )
    left, right = left[similar], right[similar]
    if len(left) == 0:
        return labels
    n = len(names)
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    linked = np.zeros(n, dtype=bool)
    linked[left] = linked[right] = True
    nodes = names.assign(component=np.where(linked, component, -1))
    lines = pd.DataFrame({"block": block, "raw": vendor_raw, "line": np.arange(len(block))})[usable]
    joined = lines.merge(nodes[["block", "raw", "component"]], on=["block", "raw"], how="inner")
    labels[joined["line"].to_numpy()] = joined["component"].to_numpy()
    return labels


def _close_names(
    left: np.ndarray, right: np.ndarray, norm_names: np.ndarray, max_distance: int, min_length: int
) -> np.ndarray:
    """Whether normalised names ``left[p]`` and ``right[p]`` (codes into ``norm_names``) are within
    ``max_distance`` edits. Both must be at least ``min_length`` long and carry the same digits: a
    number in a name ("Store 12" / "Store 13") tells different vendors apart, it is not a typo."""
    close = np.zeros(len(left), dtype=bool)
    if len(left) == 0 or max_distance <= 0:
        return close
    names = pd.Series(norm_names, dtype="string")
    length = names.str.len().to_numpy(dtype=np.int64)
    _, digits = np.unique(
        names.str.replace(r"[^0-9]", "", regex=True).to_numpy(dtype=object).astype(str), return_inverse=True
    )
    worth = (
        (np.minimum(length[left], length[right]) >= min_length)
        & (np.abs(length[left] - length[right]) <= max_distance)
        & (digits[left] == digits[right])
    )
    # Each distinct pair of names is measured once however many blocks it turns up in.
    n = len(norm_names)
    pairs = (np.minimum(left, right) * n + np.maximum(left, right))[worth]
    if len(pairs) == 0:
        return close
    distinct, inverse = np.unique(pairs, return_inverse=True)
    distance = edit_distances_between(norm_names, distinct // n, distinct % n, max_distance)
    close[worth] = distance[inverse] <= max_distance
    return close
