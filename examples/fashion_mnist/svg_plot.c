/* SVG line charts: axes with "nice" ticks, one polyline per series, a legend. */
#include "svg_plot.h"

#include <math.h>

FILE *svg_begin(const char *path, int width, int height) {
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height, width, height);
    return f;
}

int svg_end(FILE *f) {
    fprintf(f, "</svg>\n");
    return fclose(f);
}

/* a step of 1, 2 or 5 times a power of ten giving about n ticks over span */
static double nice_step(double span, int n) {
    double raw = span / n, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void svg_panel(FILE *f, double ox, double oy, double w, double h, const char *title, const char *xlabel,
               const char *ylabel, const svg_series *series, int nseries) {
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int s = 0; s < nseries; s++)
        for (int i = 0; i < series[s].n; i++) {
            if (!isfinite(series[s].y[i])) continue;
            xmin = fmin(xmin, series[s].x[i]), xmax = fmax(xmax, series[s].x[i]);
            ymin = fmin(ymin, series[s].y[i]), ymax = fmax(ymax, series[s].y[i]);
        }
    if (!(xmin < xmax)) xmin = isfinite(xmin) ? xmin - 1 : 0, xmax = xmin + 2;
    if (!(ymin < ymax)) ymin = isfinite(ymin) ? ymin - 1 : 0, ymax = ymin + 2;
    double pad_y = (ymax - ymin) * 0.05;
    ymin -= pad_y, ymax += pad_y;
    double left = ox + 60, right = ox + w - 20, top = oy + 30, bottom = oy + h - 45;
#define PX(v) (left + ((v) - xmin) / (xmax - xmin) * (right - left))
#define PY(v) (bottom - ((v) - ymin) / (ymax - ymin) * (bottom - top))
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", left, oy + 18, title);
    double ys = nice_step(ymax - ymin, 5);
    for (double t = ceil(ymin / ys) * ys; t <= ymax; t += ys) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, PY(t), right, PY(t));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", left - 5, PY(t) + 4, t);
    }
    double xs = nice_step(xmax - xmin, 6);
    for (double t = ceil(xmin / xs) * xs; t <= xmax; t += xs)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", PX(t), bottom + 16, t);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n", left,
            top, right - left, bottom - top);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", (left + right) / 2, bottom + 34,
            xlabel);
    fprintf(f, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>\n", ox + 16,
            (top + bottom) / 2, ylabel);
    for (int s = 0; s < nseries; s++) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", series[s].color);
        for (int i = 0; i < series[s].n; i++)
            if (isfinite(series[s].y[i])) fprintf(f, "%.1f,%.1f ", PX(series[s].x[i]), PY(series[s].y[i]));
        fprintf(f, "\"/>\n");
        if (series[s].n == 1 || series[s].n < 12)
            for (int i = 0; i < series[s].n; i++)
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", PX(series[s].x[i]),
                        PY(series[s].y[i]), series[s].color);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"3\" fill=\"%s\"/>\n", right - 190,
                top + 12 + 16 * s, series[s].color);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", right - 172, top + 17 + 16 * s, series[s].label);
    }
#undef PX
#undef PY
}
