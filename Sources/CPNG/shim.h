#ifndef FRAMECUT_CPNG_SHIM_H
#define FRAMECUT_CPNG_SHIM_H
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libpng reports errors by longjmp, which Swift cannot catch. These small helpers keep
   every setjmp/longjmp inside C and hand Swift plain return codes. Reading is from memory. */

typedef struct {
    uint32_t width, height;       /* from IHDR */
    int bit_depth, color_type, interlaced;
    int out_channels, out_depth;  /* after the expansions below: 1..4 channels, 8 or 16 bit */
    size_t out_rowbytes;
    uint32_t rows_done;           /* complete output rows (non-interlaced); height when done */
    uint32_t rows_read;           /* png_read_row calls that completed, over all passes */
    int truncated;                /* the data ended before the image was complete */
    char message[160];
} framecut_png_result;

typedef struct {
    const unsigned char *data;
    size_t size, pos;
    framecut_png_result *result;
} framecut_png_source;

static void framecut_png_error(png_structp png, png_const_charp msg) {
    framecut_png_source *src = (framecut_png_source *)png_get_error_ptr(png);
    if (src && src->result && msg) {
        strncpy(src->result->message, msg, sizeof(src->result->message) - 1);
        src->result->message[sizeof(src->result->message) - 1] = 0;
    }
    png_longjmp(png, 1);
}

static void framecut_png_warning(png_structp png, png_const_charp msg) {
    (void)png; (void)msg;
}

static void framecut_png_read(png_structp png, png_bytep out, size_t n) {
    framecut_png_source *src = (framecut_png_source *)png_get_io_ptr(png);
    if (src->size - src->pos < n) {
        src->result->truncated = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(out, src->data + src->pos, n);
    src->pos += n;
}

/* Decodes a PNG held in memory. Palettes expand to RGB (RGBA where tRNS gives alpha),
   gray below 8 bits to 8 bits; 16-bit samples stay 16-bit big-endian; a gray or RGB
   tRNS colour key is ignored (as PIL's convert("RGB") does).
   header_only: stop after IHDR. max_pixels: refuse larger images before allocating.
   idat_read_size: 0 for libpng's default, small values recover more rows of a truncated file.
   Returns 0 on success, 1 on a decoding error (message set; *pixels holds what was decoded
   so far when result->rows_read > 0: complete rows, or for Adam7 the pixels of the passes read), 2 when over max_pixels, 3 when out of memory.
   The caller frees *pixels with free(). */
static int framecut_png_decode(const unsigned char *data, size_t size, int header_only,
                               uint64_t max_pixels, size_t idat_read_size,
                               unsigned char **pixels, framecut_png_result *result) {
    framecut_png_source src = {data, size, 0, result};
    png_structp png;
    png_infop info;
    unsigned char *volatile buffer = NULL;
    volatile int status = 0;
    memset(result, 0, sizeof(*result));
    *pixels = NULL;
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, framecut_png_error, framecut_png_warning);
    if (!png) return 3;
    info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); return 3; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        if (result->rows_read > 0) {
            *pixels = buffer;
        } else {
            free(buffer);
        }
        return status ? status : 1;
    }
    png_set_read_fn(png, &src, framecut_png_read);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
    if (idat_read_size > 0) png_set_compression_buffer_size(png, idat_read_size);
    png_read_info(png, info);
    result->width = png_get_image_width(png, info);
    result->height = png_get_image_height(png, info);
    result->bit_depth = png_get_bit_depth(png, info);
    result->color_type = png_get_color_type(png, info);
    result->interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    if ((uint64_t)result->width * (uint64_t)result->height > max_pixels) {
        status = 2;
        png_error(png, "image exceeds the pixel limit");
    }
    if (header_only) { png_destroy_read_struct(&png, &info, NULL); return 0; }
    if (result->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (result->color_type == PNG_COLOR_TYPE_GRAY && result->bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    result->out_channels = png_get_channels(png, info);
    result->out_depth = png_get_bit_depth(png, info);
    result->out_rowbytes = png_get_rowbytes(png, info);
    buffer = (unsigned char *)calloc(result->height, result->out_rowbytes);
    if (!buffer) { status = 3; png_error(png, "out of memory"); }
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < result->height; y++) {
            png_read_row(png, buffer + (size_t)y * result->out_rowbytes, NULL);
            result->rows_read++;
            if (pass == passes - 1) result->rows_done = y + 1;
        }
    }
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    *pixels = buffer;
    return 0;
}
#endif
