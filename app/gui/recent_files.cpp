#include "app/gui/recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace hace::gui {

RecentFiles::RecentFiles(QString key, QMenu* menu, QObject* parent)
    : QObject(parent), key_(std::move(key)), menu_(menu) {
    rebuildMenu();
}

void RecentFiles::add(const QString& path) {
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMax) list.removeLast();
    QSettings().setValue(key_, list);
    rebuildMenu();
}

QStringList RecentFiles::files() const {
    return QSettings().value(key_).toStringList();
}

void RecentFiles::rebuildMenu() {
    menu_->clear();
    const QStringList list = files();
    for (int i = 0; i < list.size(); ++i) {
        const QString path = list[i];
        auto* action = menu_->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT chosen(path); });
    }
    menu_->setEnabled(!list.isEmpty());
}

}  // namespace hace::gui
