#ifndef FRAMECUT_CDNNL_SHIM_H
#define FRAMECUT_CDNNL_SHIM_H
// oneDNN 2.6 (Debian libdnnl-dev) for FrameCut's convolutions (Conv2d+DNNL.swift). The helpers
// below keep oneDNN's fixed-size dims arrays, macros and object lifetimes on the C side: one
// convolution part is a primitive created once per input size (plain NCHW in and out, the
// primitive's own blocked layouts inside), run on one image with one OpenMP thread.
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>

/// Sets the calling thread's OpenMP thread count (oneDNN's runtime is GNU OpenMP, linked by
/// libdnnl; looked up at run time so FrameCut needs no OpenMP headers or link flags).
static inline void framecut_omp_set_num_threads(int n) {
    void (*fn)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
    if (fn) fn(n);
}

/// One convolution part: output channels of a layer, no bias, direct algorithm, forward inference.
typedef struct framecut_dnnl_conv {
    dnnl_primitive_t conv, src_reorder, dst_reorder; // the reorders are NULL when not needed
    dnnl_memory_desc_t plain_src, src, weights, plain_dst, dst, scratch;
    dnnl_memory_t packed_weights;                    // weights in the primitive's layout, owned
    const char *implementation;
} framecut_dnnl_conv;

static inline void framecut_dnnl_conv_destroy(framecut_dnnl_conv *c) {
    if (c->conv) dnnl_primitive_destroy(c->conv);
    if (c->src_reorder) dnnl_primitive_destroy(c->src_reorder);
    if (c->dst_reorder) dnnl_primitive_destroy(c->dst_reorder);
    if (c->packed_weights) dnnl_memory_destroy(c->packed_weights);
    memset(c, 0, sizeof *c);
}

static inline dnnl_status_t framecut_dnnl_reorder(dnnl_engine_t engine, const dnnl_memory_desc_t *from,
                                                  const dnnl_memory_desc_t *to, dnnl_primitive_t *out) {
    *out = NULL;
    if (dnnl_memory_desc_equal(from, to)) return dnnl_success;
    dnnl_primitive_desc_t pd;
    dnnl_status_t s = dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL);
    if (s != dnnl_success) return s;
    s = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return s;
}

static inline dnnl_status_t framecut_dnnl_execute(dnnl_primitive_t p, int nargs, const dnnl_exec_arg_t *args) {
    dnnl_engine_t engine;
    const_dnnl_primitive_desc_t pd;
    framecut_omp_set_num_threads(1);
    dnnl_status_t s = dnnl_primitive_get_primitive_desc(p, &pd);
    if (s != dnnl_success) return s;
    s = dnnl_primitive_desc_query(pd, dnnl_query_engine, 0, &engine);
    if (s != dnnl_success) return s;
    dnnl_stream_t stream;
    s = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
    if (s != dnnl_success) return s;
    s = dnnl_primitive_execute(p, stream, nargs, args);
    if (s == dnnl_success) s = dnnl_stream_wait(stream);
    dnnl_stream_destroy(stream);
    return s;
}

/// Packs `weights` (described by `plain`) into a new memory of the primitive's layout `packed`
/// (`*out`, owned by the caller; NULL on failure). Both convolution kinds pack this way, once per part.
static inline dnnl_status_t framecut_dnnl_pack_weights(dnnl_engine_t engine, const dnnl_memory_desc_t *plain,
                                                       const dnnl_memory_desc_t *packed, const float *weights,
                                                       dnnl_memory_t *out) {
    *out = NULL;
    dnnl_memory_t mem, user;
    dnnl_status_t s = dnnl_memory_create(&mem, packed, engine, DNNL_MEMORY_ALLOCATE);
    if (s != dnnl_success) return s;
    s = dnnl_memory_create(&user, plain, engine, (void *)weights);
    if (s != dnnl_success) { dnnl_memory_destroy(mem); return s; }
    dnnl_primitive_t wr;
    s = framecut_dnnl_reorder(engine, plain, packed, &wr);
    if (s == dnnl_success && wr) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, mem}};
        s = framecut_dnnl_execute(wr, 2, args);
        dnnl_primitive_destroy(wr);
    } else if (s == dnnl_success) {
        void *dst;
        dnnl_memory_get_data_handle(mem, &dst);
        memcpy(dst, weights, dnnl_memory_desc_get_size(plain));
    }
    dnnl_memory_destroy(user);
    if (s != dnnl_success) { dnnl_memory_destroy(mem); return s; }
    *out = mem;
    return dnnl_success;
}

/// Creates the part computing output channels of `weights` (`oc x ic x kh x kw`, PyTorch layout)
/// for one `ic x ih x iw` image; `pads` = top, left, bottom, right.
static inline dnnl_status_t framecut_dnnl_conv_create(dnnl_engine_t engine, int64_t ic, int64_t oc, int64_t ih, int64_t iw,
                                                      int64_t kh, int64_t kw, int64_t sh, int64_t sw, const int64_t pads[4],
                                                      const float *weights, framecut_dnnl_conv *c) {
    memset(c, 0, sizeof *c);
    framecut_omp_set_num_threads(1);   // oneDNN fixes a primitive's thread count when it is created
    int64_t oh = (ih + pads[0] + pads[2] - kh) / sh + 1, ow = (iw + pads[1] + pads[3] - kw) / sw + 1;
    dnnl_dims_t sd = {1, ic, ih, iw}, wd = {oc, ic, kh, kw}, dd = {1, oc, oh, ow};
    dnnl_dims_t strides = {sh, sw}, pl = {pads[0], pads[1]}, pr = {pads[2], pads[3]};
    dnnl_memory_desc_t smd, wmd, dmd, plain_w;
    dnnl_status_t s;
#define FC_TRY(x) do { s = (x); if (s != dnnl_success) { framecut_dnnl_conv_destroy(c); return s; } } while (0)
    FC_TRY(dnnl_memory_desc_init_by_tag(&c->plain_src, 4, sd, dnnl_f32, dnnl_nchw));
    FC_TRY(dnnl_memory_desc_init_by_tag(&c->plain_dst, 4, dd, dnnl_f32, dnnl_nchw));
    FC_TRY(dnnl_memory_desc_init_by_tag(&plain_w, 4, wd, dnnl_f32, dnnl_oihw));
    FC_TRY(dnnl_memory_desc_init_by_tag(&smd, 4, sd, dnnl_f32, dnnl_format_tag_any));
    FC_TRY(dnnl_memory_desc_init_by_tag(&wmd, 4, wd, dnnl_f32, dnnl_format_tag_any));
    FC_TRY(dnnl_memory_desc_init_by_tag(&dmd, 4, dd, dnnl_f32, dnnl_format_tag_any));
    dnnl_convolution_desc_t cd;
    FC_TRY(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
                                              &smd, &wmd, NULL, &dmd, strides, pl, pr));
    dnnl_primitive_attr_t attr;
    FC_TRY(dnnl_primitive_attr_create(&attr));
    s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    dnnl_primitive_desc_t pd = NULL;
    if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &cd, attr, engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (s != dnnl_success) { framecut_dnnl_conv_destroy(c); return s; }
    const char *impl = "";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    c->implementation = impl;   // static strings of the library
    c->src = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    c->weights = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    c->dst = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    c->scratch = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    s = dnnl_primitive_create(&c->conv, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) { framecut_dnnl_conv_destroy(c); return s; }
    FC_TRY(framecut_dnnl_reorder(engine, &c->plain_src, &c->src, &c->src_reorder));
    FC_TRY(framecut_dnnl_reorder(engine, &c->dst, &c->plain_dst, &c->dst_reorder));
    // Pack the weights once.
    FC_TRY(framecut_dnnl_pack_weights(engine, &plain_w, &c->weights, weights, &c->packed_weights));
#undef FC_TRY
    return dnnl_success;
}

/// Whether two parts read the same source layout (then one packed source serves both).
static inline int framecut_dnnl_same_source(const framecut_dnnl_conv *a, const framecut_dnnl_conv *b) {
    return dnnl_memory_desc_equal(&a->src, &b->src);
}
static inline size_t framecut_dnnl_src_bytes(const framecut_dnnl_conv *c) { return dnnl_memory_desc_get_size(&c->src); }
static inline size_t framecut_dnnl_dst_bytes(const framecut_dnnl_conv *c) { return dnnl_memory_desc_get_size(&c->dst); }
static inline size_t framecut_dnnl_scratch_bytes(const framecut_dnnl_conv *c) { return dnnl_memory_desc_get_size(&c->scratch); }

/// Reorders one plain NCHW image into the part's source layout (`blocked_src`, src_bytes);
/// a plain copy when the primitive reads NCHW itself.
static inline dnnl_status_t framecut_dnnl_conv_pack_source(const framecut_dnnl_conv *c, dnnl_engine_t engine,
                                                           const float *image, void *blocked_src) {
    if (!c->src_reorder) { memcpy(blocked_src, image, dnnl_memory_desc_get_size(&c->plain_src)); return dnnl_success; }
    dnnl_memory_t from, to;
    dnnl_status_t s = dnnl_memory_create(&from, &c->plain_src, engine, (void *)image);
    if (s != dnnl_success) return s;
    s = dnnl_memory_create(&to, &c->src, engine, blocked_src);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
        s = framecut_dnnl_execute(c->src_reorder, 2, args);
        dnnl_memory_destroy(to);
    }
    dnnl_memory_destroy(from);
    return s;
}

/// Runs the part on a packed source and writes its output channels to `out` (plain NCHW, one
/// image); `dst_buffer` (dst_bytes) and `scratch` (scratch_bytes, may be NULL when 0) are work space.
static inline dnnl_status_t framecut_dnnl_conv_run(const framecut_dnnl_conv *c, dnnl_engine_t engine, void *blocked_src,
                                                   float *out, void *dst_buffer, void *scratch) {
    dnnl_memory_t src = NULL, wts = NULL, dst = NULL, plain = NULL, pad = NULL;
    dnnl_status_t s;
    void *wp;
    dnnl_memory_get_data_handle(c->packed_weights, &wp);
    s = dnnl_memory_create(&src, &c->src, engine, blocked_src);
    if (s == dnnl_success) s = dnnl_memory_create(&wts, &c->weights, engine, wp);
    if (s == dnnl_success) s = dnnl_memory_create(&dst, &c->dst, engine, c->dst_reorder ? dst_buffer : (void *)out);
    if (s == dnnl_success) s = dnnl_memory_create(&pad, &c->scratch, engine, scratch);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wts}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCRATCHPAD, pad}};
        s = framecut_dnnl_execute(c->conv, 4, args);
    }
    if (s == dnnl_success && c->dst_reorder) {
        s = dnnl_memory_create(&plain, &c->plain_dst, engine, out);
        if (s == dnnl_success) {
            dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, dst}, {DNNL_ARG_TO, plain}};
            s = framecut_dnnl_execute(c->dst_reorder, 2, args);
        }
    }
    if (src) dnnl_memory_destroy(src);
    if (wts) dnnl_memory_destroy(wts);
    if (dst) dnnl_memory_destroy(dst);
    if (plain) dnnl_memory_destroy(plain);
    if (pad) dnnl_memory_destroy(pad);
    return s;
}

/// A convolution part in oneDNN's blocked layout `nChw16c`, source and destination both (one
/// image, channels padded to 16), bias and the activation fused: `dst = act(conv(src) + bias
/// [+ dst])`. `sum` adds what `dst` holds (the residual) before the activation; `act` is 0 for
/// identity, 1 for ReLU, 2 for ReLU6; `depthwise`: one group per channel (`ic == oc`). Runs on one image with one OpenMP thread, as the plain parts do.
typedef struct framecut_dnnl_bconv {
    dnnl_primitive_t conv;
    dnnl_memory_desc_t src, weights, bias, dst, scratch;
    dnnl_memory_t packed_weights, packed_bias;   // owned
    const char *implementation;
} framecut_dnnl_bconv;

static inline void framecut_dnnl_bconv_destroy(framecut_dnnl_bconv *c) {
    if (c->conv) dnnl_primitive_destroy(c->conv);
    if (c->packed_weights) dnnl_memory_destroy(c->packed_weights);
    if (c->packed_bias) dnnl_memory_destroy(c->packed_bias);
    memset(c, 0, sizeof *c);
}

/// Creates the part for output channels `weights` (`oc x ic x kh x kw`, PyTorch layout) and
/// `bias` (`oc`) on one `ic x ih x iw` image; `pads` = top, left, bottom, right. `plain_src`:
/// the source is plain NCHW (a network's first layer, on the input image) instead of blocked.
/// `winograd`: oneDNN's Winograd algorithm (3x3 stride 1 only; an error where it has none).
static inline dnnl_status_t framecut_dnnl_bconv_create(dnnl_engine_t engine, int64_t ic, int64_t oc, int64_t ih, int64_t iw,
                                                       int64_t kh, int64_t kw, int64_t sh, int64_t sw, const int64_t pads[4],
                                                       const float *weights, const float *bias, int act, int sum,
                                                       int plain_src, int depthwise, int winograd, framecut_dnnl_bconv *c) {
    memset(c, 0, sizeof *c);
    framecut_omp_set_num_threads(1);
    int64_t oh = (ih + pads[0] + pads[2] - kh) / sh + 1, ow = (iw + pads[1] + pads[3] - kw) / sw + 1;
    dnnl_dims_t sd = {1, ic, ih, iw}, wd = {oc, ic, kh, kw}, dd = {1, oc, oh, ow}, bd = {oc};
    dnnl_dims_t gwd = {oc, 1, 1, kh, kw};   // depthwise: groups x oc/g x ic/g x kh x kw
    int wn = depthwise ? 5 : 4;
    dnnl_dims_t strides = {sh, sw}, pl = {pads[0], pads[1]}, pr = {pads[2], pads[3]};
    dnnl_memory_desc_t wmd, plain_w;
    dnnl_status_t s;
#define FC_TRY(x) do { s = (x); if (s != dnnl_success) { framecut_dnnl_bconv_destroy(c); return s; } } while (0)
    FC_TRY(dnnl_memory_desc_init_by_tag(&c->src, 4, sd, dnnl_f32, plain_src ? dnnl_nchw : dnnl_nChw16c));
    FC_TRY(dnnl_memory_desc_init_by_tag(&c->dst, 4, dd, dnnl_f32, dnnl_nChw16c));
    FC_TRY(dnnl_memory_desc_init_by_tag(&c->bias, 1, bd, dnnl_f32, dnnl_x));
    FC_TRY(dnnl_memory_desc_init_by_tag(&plain_w, wn, depthwise ? gwd : wd, dnnl_f32, depthwise ? dnnl_goihw : dnnl_oihw));
    FC_TRY(dnnl_memory_desc_init_by_tag(&wmd, wn, depthwise ? gwd : wd, dnnl_f32, dnnl_format_tag_any));
    dnnl_convolution_desc_t cd;
    FC_TRY(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference,
                                              winograd ? dnnl_convolution_winograd : dnnl_convolution_direct,
                                              &c->src, &wmd, &c->bias, &c->dst, strides, pl, pr));
    dnnl_primitive_attr_t attr;
    FC_TRY(dnnl_primitive_attr_create(&attr));
    dnnl_post_ops_t ops = NULL;
    s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (s == dnnl_success && (sum || act)) {
        s = dnnl_post_ops_create(&ops);
        if (s == dnnl_success && sum) s = dnnl_post_ops_append_sum(ops, 1.0f);
        if (s == dnnl_success && act == 1) s = dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
        if (s == dnnl_success && act == 2) s = dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f);
        if (s == dnnl_success) s = dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    dnnl_primitive_desc_t pd = NULL;
    if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &cd, attr, engine, NULL);
    if (ops) dnnl_post_ops_destroy(ops);
    dnnl_primitive_attr_destroy(attr);
    if (s != dnnl_success) { framecut_dnnl_bconv_destroy(c); return s; }
    const char *impl = "";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    c->implementation = impl;
    c->weights = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    c->scratch = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    s = dnnl_primitive_create(&c->conv, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) { framecut_dnnl_bconv_destroy(c); return s; }
    FC_TRY(dnnl_memory_create(&c->packed_bias, &c->bias, engine, DNNL_MEMORY_ALLOCATE));
    {
        void *bp;
        dnnl_memory_get_data_handle(c->packed_bias, &bp);
        memcpy(bp, bias, (size_t)oc * sizeof(float));
    }
    FC_TRY(framecut_dnnl_pack_weights(engine, &plain_w, &c->weights, weights, &c->packed_weights));
#undef FC_TRY
    return dnnl_success;
}

static inline size_t framecut_dnnl_bconv_scratch_bytes(const framecut_dnnl_bconv *c) {
    return dnnl_memory_desc_get_size(&c->scratch);
}
static inline const char *framecut_dnnl_bconv_implementation(const framecut_dnnl_bconv *c) { return c->implementation; }

/// Runs the part: `src` one image in `nChw16c` or NCHW (all input channels), `dst` this part's output
/// channels in `nChw16c` (holding the residual when the part sums); `scratch` scratch_bytes.
static inline dnnl_status_t framecut_dnnl_bconv_run(const framecut_dnnl_bconv *c, dnnl_engine_t engine, const float *src_data,
                                                    float *dst_data, void *scratch) {
    dnnl_memory_t src = NULL, wts = NULL, dst = NULL, bias = NULL, pad = NULL;
    dnnl_status_t s;
    void *wp, *bp;
    dnnl_memory_get_data_handle(c->packed_weights, &wp);
    dnnl_memory_get_data_handle(c->packed_bias, &bp);
    s = dnnl_memory_create(&src, &c->src, engine, (void *)src_data);
    if (s == dnnl_success) s = dnnl_memory_create(&wts, &c->weights, engine, wp);
    if (s == dnnl_success) s = dnnl_memory_create(&bias, &c->bias, engine, bp);
    if (s == dnnl_success) s = dnnl_memory_create(&dst, &c->dst, engine, dst_data);
    if (s == dnnl_success) s = dnnl_memory_create(&pad, &c->scratch, engine, scratch);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wts}, {DNNL_ARG_BIAS, bias},
                                   {DNNL_ARG_DST, dst}, {DNNL_ARG_SCRATCHPAD, pad}};
        s = framecut_dnnl_execute(c->conv, 5, args);
    }
    if (src) dnnl_memory_destroy(src);
    if (wts) dnnl_memory_destroy(wts);
    if (bias) dnnl_memory_destroy(bias);
    if (dst) dnnl_memory_destroy(dst);
    if (pad) dnnl_memory_destroy(pad);
    return s;
}

/// The CPU engine (one per process; NULL when oneDNN cannot create it).
static inline dnnl_engine_t framecut_dnnl_engine_create(void) {
    dnnl_engine_t engine = NULL;
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) return NULL;
    return engine;
}
#endif
