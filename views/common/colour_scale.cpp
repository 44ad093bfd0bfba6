#include "views/common/colour_scale.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace hace::views {
namespace {

struct Stop {
    double t;
    QRgb rgb;
};

// Viridis sampled at 10 evenly spaced points (matplotlib's definition); linear in between.
constexpr std::array<Stop, 10> kViridis = {{{0.0 / 9, 0x440154},
                                            {1.0 / 9, 0x482878},
                                            {2.0 / 9, 0x3e4989},
                                            {3.0 / 9, 0x31688e},
                                            {4.0 / 9, 0x26828e},
                                            {5.0 / 9, 0x1f9e89},
                                            {6.0 / 9, 0x35b779},
                                            {7.0 / 9, 0x6ece58},
                                            {8.0 / 9, 0xb5de2b},
                                            {9.0 / 9, 0xfde725}}};

// The LinearSegmentedColormap of the NIAH reference plots: #F0496E, #EBB839, #0CD79F.
constexpr std::array<Stop, 3> kNeedle = {{{0.0, 0xf0496e}, {0.5, 0xebb839}, {1.0, 0x0cd79f}}};

template <std::size_t N>
QColor interpolate(const std::array<Stop, N>& stops, double t) {
    t = std::clamp(t, 0.0, 1.0);
    for (std::size_t i = 1; i < N; ++i) {
        if (t <= stops[i].t) {
            const double f = (t - stops[i - 1].t) / (stops[i].t - stops[i - 1].t);
            const QColor a(stops[i - 1].rgb), b(stops[i].rgb);
            return QColor::fromRgbF(static_cast<float>(a.redF() + f * (b.redF() - a.redF())),
                                    static_cast<float>(a.greenF() + f * (b.greenF() - a.greenF())),
                                    static_cast<float>(a.blueF() + f * (b.blueF() - a.blueF())));
        }
    }
    return QColor(stops[N - 1].rgb);
}

constexpr std::array<QRgb, 8> kOkabeIto = {0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7,
                                           0xe69f00, 0x56b4e9, 0x000000, 0xf0e442};

}  // namespace

QColor colourAt(ColourScale scale, double t) {
    if (std::isnan(t)) return missingColour();
    switch (scale) {
        case ColourScale::Viridis:
            return interpolate(kViridis, t);
        case ColourScale::Needle:
            return interpolate(kNeedle, t);
    }
    return missingColour();
}

QColor missingColour() {
    return QColor(0xd9, 0xd9, 0xd9);
}

QColor seriesColour(int index) {
    return QColor(kOkabeIto[static_cast<std::size_t>(index) % kOkabeIto.size()]);
}

Qt::PenStyle seriesDash(int index) {
    // The dash changes once the colours have cycled, so series 0 and 8 still differ.
    static constexpr std::array<Qt::PenStyle, 3> kDashes = {Qt::SolidLine, Qt::DashLine,
                                                            Qt::DotLine};
    return kDashes[static_cast<std::size_t>(index / static_cast<int>(kOkabeIto.size())) %
                   kDashes.size()];
}

Marker seriesMarker(int index) {
    return static_cast<Marker>(index % 8);
}

}  // namespace hace::views
