// The recently used spec files and results databases (QSettings "recent/specs",
// "recent/databases"), newest first, at most kMax each, as a menu that reopens them.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class QMenu;

namespace hace::gui {

class RecentFiles : public QObject {
    Q_OBJECT

public:
    static constexpr int kMax = 8;
    RecentFiles(QString key, QMenu* menu, QObject* parent = nullptr);

    void add(const QString& path);
    QStringList files() const;
    void rebuildMenu();

Q_SIGNALS:
    void chosen(const QString& path);

private:
    QString key_;
    QMenu* menu_;
};

}  // namespace hace::gui
