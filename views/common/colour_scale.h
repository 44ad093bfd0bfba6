// Colours of the figures: continuous scales for heatmaps and needle maps, and a series palette
// that stays distinguishable in print (colour, dash and marker all vary).
#pragma once

#include <QColor>

namespace hace::views {

enum class ColourScale {
    Viridis,  // perceptually uniform, for counts and importances
    Needle,   // red -> yellow -> green, the colours of the original NIAH plots
};

// t in [0, 1] (clamped); NaN gives the "no data" grey.
QColor colourAt(ColourScale scale, double t);
QColor missingColour();

// Okabe-Ito palette (colour-blind safe), cycling.
QColor seriesColour(int index);
Qt::PenStyle seriesDash(int index);
enum class Marker { Circle, Square, Triangle, Diamond, Cross, Plus, InvertedTriangle, Star };
Marker seriesMarker(int index);

}  // namespace hace::views
