"""The paper's microbenchmark numbers (NSDI'19 Figs. 12-14), read off the plots.

Source: Saeed et al., "Eiffel: Efficient and Flexible Software Packet
Scheduling", NSDI 2019, section 5.2.  Values are approximate (read from the
figures, not published as numbers); they are drawn as reference marks only.
"""

# Fig. 12: Mpps of enqueue-all + dequeue-all against packets per bucket.
FIG12_PPB = [1, 2, 3, 4, 8]
FIG12 = {
    (5000, "approx"): [16.6, 20.8, 22.5, 28.3, 29.0],
    (5000, "cffs"): [15.3, 19.6, 21.4, 27.1, 30.6],
    (5000, "bucket_heap"): [9.5, 14.0, 16.0, 19.6, 24.3],
    (10000, "approx"): [16.1, 19.8, 21.5, 27.0, 28.3],
    (10000, "cffs"): [14.7, 18.4, 19.8, 25.0, 28.8],
    (10000, "bucket_heap"): [8.8, 13.0, 15.4, 19.4, 24.4],
}

# Fig. 13: Mpps against the fraction of non-empty buckets (cFFS and BH are flat).
FIG13_OCC = [0.7, 0.8, 0.9, 0.95, 0.99]
FIG13 = {
    (5000, "approx"): [11.6, 12.5, 13.4, 14.5, 15.4],
    (5000, "cffs"): [14.9] * 5,
    (5000, "bucket_heap"): [9.1] * 5,
    (10000, "approx"): [8.2, 8.7, 10.1, 12.6, 15.1],
    (10000, "cffs"): [14.8] * 5,
    (10000, "bucket_heap"): [8.7] * 5,
}

# Fig. 14: average error of the approximate queue, in buckets.
FIG14 = {
    5000: {0.7: 13, 0.9: 6, 0.99: 2},
    10000: {0.7: 14, 0.9: 7, 0.99: 2},
}
