/* A small SVG line-chart writer for training curves (no dependencies). */
#ifndef CT_EXAMPLES_SVG_PLOT_H
#define CT_EXAMPLES_SVG_PLOT_H

#include <stdio.h>

typedef struct svg_series {
    const char *label;
    const char *color; /* "#1f77b4" */
    const double *x, *y;
    int n;
} svg_series;

/* One panel: title, axis labels and up to 4 series, drawn at (ox, oy) with
 * size (w, h) into an open <svg> document. */
void svg_panel(FILE *f, double ox, double oy, double w, double h, const char *title, const char *xlabel,
               const char *ylabel, const svg_series *series, int nseries);

/* Opens path and writes the <svg> header for width x height; NULL on error. */
FILE *svg_begin(const char *path, int width, int height);
/* Writes the closing tag and closes f; 0 on success. */
int svg_end(FILE *f);

#endif
