// The workbench window: it only assembles the views (designer, run monitor, results browser,
// curves, needle map, ablation table, comparison) as tabs, the log as a dock, the menus and the
// settings (language, recent files, window layout). The logic lives in the views.
#pragma once

#include <QMainWindow>

#include "views/designer/spec_services.h"
#include "views/run/runner.h"

class QAction;
class QActionGroup;
class QDockWidget;
class QMenu;
class QPlainTextEdit;
class QTabWidget;
class QTimer;

namespace hace::views {
class AblationView;
class ComparisonView;
class CurvesView;
class NeedleView;
class ResultsBrowser;
class ResultsSource;
class RunController;
class RunMonitor;
class SpecDesigner;
struct RunFinished;
}  // namespace hace::views

namespace hace::gui {

class RecentFiles;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    MainWindow(views::SpecServices services, views::RunnerFactory runners,
               QWidget* parent = nullptr);
    ~MainWindow() override;

    // Tab ids: designer, monitor, results, curves, needle, ablation, compare.
    static QStringList tabIds();
    bool showTab(const QString& id);
    bool openSpec(const QString& path, QString* error = nullptr);
    // The bundled example sweep (example_sweep.h) in the designer, its results database in the
    // app's data folder; false with the reason when the example is not installed.
    bool openExampleSweep(QString* error = nullptr);
    bool openResults(const QString& path, QString* error = nullptr);
    void setRunDatabase(const QString& path);
    bool startRun();
    void switchLanguage(const QString& code);

    views::SpecDesigner* designer() const { return designer_; }
    views::RunMonitor* monitor() const { return monitor_; }
    views::RunController* controller() const { return controller_; }
    views::ResultsSource* results() const { return source_; }
    views::ResultsBrowser* browser() const { return browser_; }
    views::CurvesView* curves() const { return curves_; }
    views::NeedleView* needle() const { return needle_; }
    views::AblationView* ablation() const { return ablation_; }
    views::ComparisonView* comparison() const { return comparison_; }
    QPlainTextEdit* logView() const { return log_; }

Q_SIGNALS:
    void runEnded(bool ok);

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void buildMenus();
    void retranslate();
    void restoreLayout();
    void saveLayout();
    void openSpecDialog();
    void saveSpec(bool askName);
    void openResultsDialog();
    void exportCurrentFigure();
    void onSamplesStored();
    void onRunEnded(const views::RunFinished& end);
    void updateTitle();
    void about();

    views::RunController* controller_;
    views::ResultsSource* source_;
    views::SpecDesigner* designer_;
    views::RunMonitor* monitor_;
    views::ResultsBrowser* browser_;
    views::CurvesView* curves_;
    views::NeedleView* needle_;
    views::AblationView* ablation_;
    views::ComparisonView* comparison_;
    QTabWidget* tabs_;
    QDockWidget* logDock_;
    QPlainTextEdit* log_;
    QTimer* reloadTimer_;
    RecentFiles* recentSpecs_;
    RecentFiles* recentDatabases_;

    QMenu *fileMenu_, *runMenu_, *viewMenu_, *languageMenu_, *helpMenu_, *recentSpecMenu_,
        *recentDbMenu_;
    QAction *openSpecAction_, *openExampleAction_, *saveSpecAction_, *saveSpecAsAction_,
        *openResultsAction_, *exportAction_, *quitAction_, *startAction_, *pauseAction_,
        *cancelAction_, *dryRunAction_, *reloadAction_, *aboutAction_;
    QActionGroup* languages_;
};

}  // namespace hace::gui
